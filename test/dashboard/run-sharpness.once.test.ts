import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { basename, join } from 'node:path';
import { readJsonl } from '../../src/track/files.js';
import { tempDir } from '../helpers.js';
import { CHROMIUM_ARGS, CHROMIUM_PATH, hasChromium, requireExternal } from '../external.js';
import { startDashboard } from '../../src/dashboard/server/http-server.js';

test('the run page of a run trained with --track-sharpness charts sharpness against 2/lr', async (t) => {
  if (!requireExternal(t, 'Chromium', hasChromium(), 'apt-get install chromium (and npm install playwright-core)')) return;
  const { chromium } = await import('playwright-core');
  const dir = tempDir('tc-sharp-page-');
  mkdirSync(join(dir, 'runs'));
  const r = spawnSync(process.execPath, [join(process.cwd(), 'bin/tradecraft.js'), 'train', 'mnist-mlp', '--set', 'limitTrain=700', '--set', 'valSize=100', '--set', 'limitTest=100',
    '--epochs', '1', '--track-sharpness', '3', '--out', join(dir, 'runs'), '--json'], { encoding: 'utf8', env: { ...process.env, TRADECRAFT_QUIET: '1' } });
  assert.equal(r.status, 0, r.stderr);
  const runDir = (JSON.parse(r.stdout.trim().split('\n').pop()!) as { runDir: string }).runDir;
  const logged = readJsonl<{ name: string }>(join(runDir, 'metrics.jsonl')).records.filter((m) => m.name === 'sharpness').length;
  assert.equal(logged, 4, 'steps 1, 4, 7, 10');
  const server = await startDashboard({ runsDir: join(dir, 'runs'), port: 0 });
  const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
  try {
    const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`${server.url}#/run?id=${basename(runDir)}`);
    await page.waitForSelector('main[data-ready="true"]');
    await page.waitForSelector('#chart-sharpness .chart[data-points]');
    assert.equal(await page.locator('#chart-sharpness .chart').getAttribute('data-points'), String(logged));
    const text = (await page.locator('#chart-sharpness').textContent())!;
    assert.ok(text.includes('2/lr') && text.includes('sharpness'), text);
    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
    await server.close();
  }
});
