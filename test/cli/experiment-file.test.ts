import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '../helpers.js';

// Inside the checkout so that `import ... from 'tradecraft'` resolves by package self-reference.
mkdirSync('.tradecraft', { recursive: true });
const dir = tempDir('exp-', join(process.cwd(), '.tradecraft'));

const source = `
import { defineExperiment, nn, optim, F, data, tensor, randn, manualSeed } from 'tradecraft';

function blobs(n: number, seed: number, name: string) {
  manualSeed(seed);
  const x = randn([n, 2]);
  const y = new Int32Array(n);
  for (let i = 0; i < n; i++) { y[i] = i % 2; x.data[2 * i] += y[i] ? 2 : -2; }
  return new data.TensorDataset(x, tensor(y, [n], { dtype: 'int32' }), name);
}

export default defineExperiment({
  name: 'blobs',
  hparams: { lr: 0.1, epochs: 2, batchSize: 16, hidden: 8, seed: 0 },
  data: () => ({ train: blobs(200, 1, 'train'), val: blobs(100, 2, 'val'), test: blobs(100, 3, 'test') }),
  model: (hp) => nn.sequential(nn.linear(2, hp.hidden), nn.relu(), nn.linear(hp.hidden, 2)),
  optimizer: (params, hp) => optim.sgd(params, { lr: hp.lr, momentum: 0.9 }),
  loss: (out, y) => F.crossEntropy(out, y),
  monitor: 'val_accuracy',
});
`;

test('train accepts a path to a .ts experiment module, with --set overrides of its own hyperparameters', () => {
  const file = join(dir, 'blobs.ts');
  writeFileSync(file, source);
  const r = spawnSync(process.execPath, ['bin/tradecraft.js', 'train', file, '--set', 'hidden=4', '--out', join(dir, 'runs'), '--json'],
    { encoding: 'utf8', env: { ...process.env, TRADECRAFT_QUIET: '1' } });
  assert.equal(r.status, 0, r.stderr);
  const j = JSON.parse(r.stdout.trim().split('\n').pop()!) as { testAccuracy: number; epochs: number };
  assert.equal(j.epochs, 2);
  assert.ok(j.testAccuracy > 0.9, `separable blobs: ${j.testAccuracy}`);
});

test('a module without an experiment export is a one-line error', () => {
  const file = join(dir, 'empty.mjs');
  writeFileSync(file, 'export const nothing = 1;\n');
  const r = spawnSync(process.execPath, ['bin/tradecraft.js', 'train', file], { encoding: 'utf8', env: { ...process.env, TRADECRAFT_QUIET: '1' } });
  assert.equal(r.status, 2);
  assert.match(r.stderr.trim(), /does not export an experiment: add `export default defineExperiment/);
});
