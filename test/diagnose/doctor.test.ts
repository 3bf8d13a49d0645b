import { selectBackend } from '../../src/backend/select.js';
await selectBackend();

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { doctorHparams } from '../../src/diagnose/doctor.js';

const bin = fileURLToPath(new URL('../../../bin/tradecraft.js', import.meta.url));
const distSrc = new URL('../../src/', import.meta.url).href;

interface DoctorJson { checks: Array<{ name: string; status: string; detail: string; advice: string }>; passed: boolean; hparams: Record<string, unknown> }

function doctor(args: string[], nodeArgs: string[] = []): { status: number | null; stdout: string; stderr: string; json: DoctorJson } {
  const env: NodeJS.ProcessEnv = { ...process.env, TRADECRAFT_QUIET: '1' };
  delete env.NODE_OPTIONS;
  const r = spawnSync(process.execPath, [...nodeArgs, bin, 'doctor', ...args], { encoding: 'utf8', env });
  const lastLine = r.stdout.trim().split('\n').pop() ?? '';
  let json = {} as DoctorJson;
  try { json = JSON.parse(lastLine) as DoctorJson; } catch { /* asserted by the caller */ }
  return { status: r.status, stdout: r.stdout, stderr: r.stderr, json };
}

const CHECKS = [
  'data values', 'labels', 'initial loss', 'nan triage', 'activations', 'gradient flow', 'dead relu',
  'overfit batch', 'lr probe', 'broadcasting', 'graph leak', 'memory growth', 'node heap',
];

test('doctorHparams picks a quick data subset unless the user set it', () => {
  const hp = { lr: 1e-3, valSize: 5000, limitTrain: 0, limitTest: 0, seed: 0 };
  assert.deepEqual(doctorHparams(hp, new Set()), {
    hp: { lr: 1e-3, valSize: 500, limitTrain: 2000, limitTest: 1000, seed: 0 },
    applied: ['limitTrain=2000', 'limitTest=1000', 'valSize=500'],
  });
  const mine = doctorHparams({ ...hp, limitTrain: 1000 }, new Set(['limitTrain']));
  assert.deepEqual(mine.hp, { lr: 1e-3, valSize: 250, limitTrain: 1000, limitTest: 1000, seed: 0 });
  assert.deepEqual(doctorHparams({ lr: 0.1 }, new Set()), { hp: { lr: 0.1 }, applied: [] });
  assert.deepEqual(doctorHparams({ ...hp, limitTrain: 300, valSize: 50 }, new Set(['limitTrain', 'valSize'])).applied, ['limitTest=1000']);
});

for (const name of ['mnist-mlp', 'mnist-cnn']) {
  test(`the doctor passes the built-in ${name} (no failing check, exit 0)`, () => {
    const r = doctor([name, '--set', 'limitTrain=1000', '--json']);
    assert.equal(r.status, 0, `${r.stdout}\n${r.stderr}`);
    assert.deepEqual(r.json.checks.map((c) => c.name), CHECKS);
    assert.deepEqual(r.json.checks.filter((c) => c.status === 'fail'), []);
    assert.equal(r.json.passed, true);
    assert.equal(r.json.hparams.limitTrain, 1000);
    assert.equal(r.json.hparams.valSize, 250);
    for (const c of r.json.checks) assert.deepEqual(Object.keys(c), ['name', 'status', 'detail', 'advice']);
    assert.match(r.stdout, /^check\s+status\s+detail\s+advice$/m, 'prints the table');
    assert.match(r.stdout, /initial loss\s+pass\s+loss 2\.\d+ at init; log\(10\) = 2\.303/);
    assert.match(r.stdout, /overfit batch\s+pass/);
  });
}

test("the doctor's node heap check warns under V8's default heap and passes with --initial-heap-size=64", () => {
  const small = ['mnist-mlp', '--set', 'limitTrain=300', '--json'];
  const plain = doctor(small).json.checks.find((c) => c.name === 'node heap');
  assert.equal(plain?.status, 'warn', JSON.stringify(plain));
  assert.match(plain!.advice, /--initial-heap-size=64/);
  const flagged = doctor(small, ['--initial-heap-size=64']).json.checks.find((c) => c.name === 'node heap');
  assert.deepEqual(flagged, { name: 'node heap', status: 'pass', detail: 'node started with --initial-heap-size=64', advice: '' });
});

test('the doctor exits 1 for an experiment module with a broadcasting bug, and 2 for usage errors', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tradecraft-doctor-'));
  try {
    const file = join(dir, 'broken.mjs');
    writeFileSync(file, `
import { Tensor, nn, optim } from '${distSrc}core.js';
import { defineExperiment } from '${distSrc}experiments/define.js';
import { TensorDataset } from '${distSrc}data/dataset.js';
const n = 96;
const x = new Float32Array(n * 4).map((_, i) => Math.sin(i * 1.7));
const y = new Float32Array(n).map((_, i) => x[i * 4] - 2 * x[i * 4 + 1]);
const ds = new TensorDataset(new Tensor(x, [n, 4]), new Tensor(y, [n]));
export default defineExperiment({
  name: 'broken-regression',
  hparams: { lr: 0.01, seed: 0 },
  data: () => ({ train: ds, val: ds, test: ds }),
  model: () => nn.sequential(nn.linear(4, 8), nn.relu(), nn.linear(8, 1)),
  optimizer: (params, hp) => new optim.Adam(params, { lr: hp.lr }),
  loss: (out, t) => out.sub(t).square().mean(), // (N, 1) - (N) -> (N, N)
});
`);
    const r = doctor([file, '--json']);
    assert.equal(r.status, 1, `${r.stdout}\n${r.stderr}`);
    assert.equal(r.json.passed, false);
    const b = r.json.checks.find((c) => c.name === 'broadcasting')!;
    assert.equal(b.status, 'fail');
    assert.match(b.detail, /\(32, 1\) and \(32,?\) gives \(32, 32\)/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  assert.equal(doctor([]).status, 2);
  assert.equal(doctor(['mnist-mlp', '--set', 'nope=1']).status, 2);
  const help = spawnSync(process.execPath, [bin, 'doctor', '--help'], { encoding: 'utf8' });
  assert.equal(help.status, 0);
  assert.match(help.stdout, /limitTrain=2000/);
});
