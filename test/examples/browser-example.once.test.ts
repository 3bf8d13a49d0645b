// The browser example in headless Chromium: the core's ESM bundle trains an MLP on the MNIST
// subset with the wasm backend to >= 95% test accuracy, shows the interval, and downloads
// safetensors weights that give the same accuracy when loaded in Node. Screenshot:
// test-artifacts/browser-example.png.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';
import * as nn from '../../src/nn/index.js';
import { Tensor } from '../../src/tensor/tensor.js';
import { noGrad } from '../../src/autograd/grad-mode.js';
import { decodeStateDict } from '../../src/track/state-dict-codec.js';
import { CHROMIUM_ARGS, CHROMIUM_PATH, hasChromium, requireExternal } from '../external.js';
import { tempDir } from '../helpers.js';

interface ExampleState { state: string; error?: string; testAccuracy: number; interval: [number, number]; losses: number[]; seconds: number; trainImages: number; epochs: number }

/** Accuracy of the downloaded weights on the subset's test images, computed here in Node. */
function nodeAccuracy(weights: Uint8Array): number {
  const bytes = new Uint8Array(readFileSync('dist/browser/mnist-subset.bin'));
  const view = new DataView(bytes.buffer, bytes.byteOffset);
  const nTrain = view.getUint32(0, true), nTest = view.getUint32(4, true);
  const at = 8 + nTrain * 785;
  const x = new Tensor(Float32Array.from(bytes.subarray(at, at + nTest * 784), (v) => (v / 255 - 0.1307) / 0.3081), [nTest, 784]);
  const labels = bytes.subarray(at + nTest * 784, at + nTest * 785);
  const model = nn.sequential(nn.linear(784, 128), nn.relu(), nn.linear(128, 10));
  model.loadStateDict(decodeStateDict(weights).tensors);
  const out = noGrad(() => model.eval().call(x)).f32;
  let correct = 0;
  for (let i = 0; i < nTest; i++) {
    let best = 0;
    for (let k = 1; k < 10; k++) if (out[i * 10 + k] > out[i * 10 + best]) best = k;
    if (best === labels[i]) correct++;
  }
  return correct / nTest;
}

test('browser example: trains MNIST to >= 95% test accuracy in headless Chromium on the wasm backend', { timeout: 180_000 }, async (t) => {
  if (!requireExternal(t, 'Chromium', hasChromium(), 'apt-get install chromium')) return;
  const built = spawnSync(process.execPath, ['scripts/build-browser.mjs'], { encoding: 'utf8' });
  assert.equal(built.status, 0, `the browser build failed (a Node import in the core?): ${built.stderr}`);
  const bundle = readFileSync('dist/browser/tradecraft.js', 'utf8');
  assert.doesNotMatch(bundle, /(from|import\(|require\()\s*["']node:/, 'the browser bundle imports nothing from Node');

  const { serve } = await import(pathToFileURL(join(process.cwd(), 'examples/browser/serve.mjs')).href) as { serve: (port: number) => Promise<{ url: string; close: () => Promise<void> }> };
  const server = await serve(0);
  const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
  try {
    const page = await browser.newPage({ acceptDownloads: true, viewport: { width: 820, height: 640 } });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
    await page.goto(`${server.url}?autostart=1&train=30000&epochs=3`);
    await page.waitForFunction(() => ['done', 'error'].includes((window as unknown as { tradecraftExample?: { state: string } }).tradecraftExample?.state ?? ''), null, { timeout: 150_000 });
    const s = await page.evaluate(() => {
      const { state, error, testAccuracy, interval, losses, seconds, trainImages, epochs } = (window as unknown as { tradecraftExample: ExampleState }).tradecraftExample;
      return { state, error, testAccuracy, interval, losses, seconds, trainImages, epochs };
    });
    mkdirSync('test-artifacts', { recursive: true });
    await page.screenshot({ path: 'test-artifacts/browser-example.png', fullPage: true });
    assert.equal(s.state, 'done', s.error);
    assert.deepEqual(errors, []);
    console.log(`# browser example: test accuracy ${s.testAccuracy} [${s.interval.map((v) => v.toFixed(4)).join(', ')}], ${s.trainImages} images x ${s.epochs} epochs in ${s.seconds.toFixed(1)} s`);
    assert.ok(s.testAccuracy >= 0.95, `test accuracy ${s.testAccuracy} < 0.95`);
    const [lo, hi] = s.interval;
    assert.ok(lo < s.testAccuracy && s.testAccuracy < hi && hi - lo < 0.03, `Wilson interval ${lo}-${hi} around ${s.testAccuracy} for n=2000`);
    const mean = (v: number[]): number => v.reduce((a, b) => a + b, 0) / v.length;
    assert.equal(s.losses.length, 3 * Math.ceil(30000 / 64), 'one loss per batch');
    assert.ok(mean(s.losses.slice(-50)) < mean(s.losses.slice(0, 50)) / 4, 'the loss curve falls');
    assert.match(await page.textContent('#result') ?? '', /^test accuracy 9\d\.\d\d% \(95% Wilson CI 9\d\.\d\d–\d+\.\d\d%, n=2000\)$/);
    assert.match(await page.textContent('#status') ?? '', /wasm backend/);

    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#download')]);
    assert.equal(download.suggestedFilename(), 'mnist-mlp.safetensors');
    const file = join(tempDir('tc-browser-'), 'w.safetensors');
    await download.saveAs(file);
    const weights = new Uint8Array(readFileSync(file));
    const { tensors, metadata } = decodeStateDict(weights);
    assert.deepEqual(Object.fromEntries(Object.entries(tensors).map(([k, v]) => [k, v.shape])), { '0.weight': [128, 784], '0.bias': [128], '2.weight': [10, 128], '2.bias': [10] });
    assert.equal(metadata.framework, 'tradecraft');
    assert.equal(nodeAccuracy(weights), s.testAccuracy, 'the downloaded weights score the same in Node');
  } finally {
    await browser.close();
    await server.close();
  }
});
