import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '../helpers.js';

const bin = 'bin/tradecraft.js';
const run = (args: string[]) => spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', env: { ...process.env, TRADECRAFT_QUIET: '1' } });

test('every command answers --help with its usage and exit 0', () => {
  const top = run(['--help']);
  assert.equal(top.status, 0);
  const commands = [...top.stdout.matchAll(/^ {2}([a-z-]+) {2,}/gm)].map((m) => m[1]);
  for (const c of ['train', 'test', 'compare', 'info', 'audit', 'runs', 'stats', 'doctor']) assert.ok(commands.includes(c), `${c} is listed`);
  for (const c of commands) {
    const r = run([c, '--help']);
    assert.equal(r.status, 0, `${c} --help: exit ${r.status}: ${r.stderr}`);
    assert.match(r.stdout, new RegExp(`usage: tradecraft ${c}`), `${c} --help prints its usage`);
  }
});

// Inside the checkout so that `import ... from 'tradecraft'` resolves by package self-reference.
mkdirSync('.tradecraft', { recursive: true });
const dir = tempDir('audit-', join(process.cwd(), '.tradecraft'));

/** An experiment whose test split copies `leaked` training items and whose training split holds `conflicts` relabelled copies. */
function experiment(file: string, leaked: number, conflicts: number): string {
  const path = join(dir, file);
  writeFileSync(path, `
import { defineExperiment, nn, optim, F, data, tensor } from 'tradecraft';
function split(n, offset, copyFrom, name) {
  const x = new Float32Array(n * 4), y = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const k = i < copyFrom ? i : offset + i;
    for (let j = 0; j < 4; j++) x[4 * i + j] = Math.sin(k * 12.9898 + j * 78.233) * 43758.5453 % 1;
    y[i] = k % 2;
  }
  return new data.TensorDataset(tensor(x, [n, 4]), tensor(y, [n], { dtype: 'int32' }), name);
}
const train = split(200, 0, 0, 'train');
for (let i = 0; i < ${conflicts}; i++) { for (let j = 0; j < 4; j++) train.x.data[4 * (199 - i) + j] = train.x.data[4 * i + j]; train.y.data[199 - i] = 1 - train.y.data[i]; }
export default defineExperiment({
  name: 'audit-case', hparams: { lr: 0.1 },
  data: () => ({ train, val: split(50, 1000, 0, 'val'), test: split(50, 2000, ${leaked}, 'test') }),
  model: () => nn.linear(4, 2),
  optimizer: (p, hp) => optim.sgd(p, { lr: hp.lr }),
  loss: (o, y) => F.crossEntropy(o, y),
});
`);
  return path;
}

test('audit exits 1 with a summary line on test items copied from training or label conflicts, 0 when clean', () => {
  const clean = run(['audit', experiment('clean.mjs', 0, 0)]);
  assert.equal(clean.status, 0, clean.stderr);
  assert.match(clean.stdout.trim().split('\n').pop()!, /^audit passed: no duplicates across splits and no label conflicts/);
  const leaked = run(['audit', experiment('leaked.mjs', 3, 0), '--json']);
  assert.equal(leaked.status, 1, leaked.stderr);
  const lines = leaked.stdout.trim().split('\n');
  assert.equal(lines[lines.length - 2], 'audit FAILED: 3 test item(s) also in train');
  const j = JSON.parse(lines[lines.length - 1]) as { passed: boolean; problems: string[] };
  assert.equal(j.passed, false);
  const conflict = run(['audit', experiment('conflict.mjs', 0, 2)]);
  assert.equal(conflict.status, 1);
  assert.match(conflict.stdout, /audit FAILED: 2 label conflict group\(s\)/);
});
