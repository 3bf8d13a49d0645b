import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '../helpers.js';

const bin = join(process.cwd(), 'bin/tradecraft.js');
const small = ['--set', 'limitTrain=1200', '--set', 'valSize=200', '--set', 'limitTest=100'];

function cli(args: string[], cwd = process.cwd()): { status: number | null; stdout: string; stderr: string; json: Record<string, unknown> } {
  const r = spawnSync(process.execPath, [bin, ...args], { cwd, encoding: 'utf8', env: { ...process.env, TRADECRAFT_QUIET: '1' } });
  let json: Record<string, unknown> = {};
  try { json = JSON.parse(r.stdout.trim().split('\n').pop() ?? '{}') as Record<string, unknown>; } catch { /* not a --json call */ }
  return { status: r.status, stdout: r.stdout, stderr: r.stderr, json };
}

test('every tuning command answers --help', () => {
  for (const [cmd, words] of [['lr-find', /range test[\s\S]*min\/10/], ['lr-sweep', /--log-range/], ['batch-size', /noise scale/], ['ablate', /--features[\s\S]*no detectable effect/]] as const) {
    const r = cli([cmd, '--help']);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, new RegExp(`usage: tradecraft ${cmd}`));
    assert.match(r.stdout, words);
  }
});

test('bad flags exit 2 with one line naming the problem', () => {
  const cases: Array<[string[], RegExp]> = [
    [['lr-find', 'mnist-mlp', '--steps', '1'], /--steps must be at least 2/],
    [['lr-find', 'mnist-mlp', '--min', '1', '--max', '0.1'], /--max \(0.1\) must be above --min \(1\)/],
    [['lr-find'], /lr-find needs an experiment/],
    [['lr-sweep', 'mnist-mlp'], /either --lrs .* or --log-range/],
    [['lr-sweep', 'mnist-mlp', '--lrs', '1e-3,abc'], /--lrs: "abc" is not a positive number/],
    [['lr-sweep', 'mnist-mlp', '--log-range', '1', '0.1', '3'], /--log-range needs LO HI N/],
    [['batch-size', 'mnist-mlp', '--big', '100'], /--big \(100\) must be at least twice the small batch \(64\)/],
    [['ablate', 'mnist-cnn-toggles'], /needs --features.*batchNorm, dropout, augment, warmup/],
    [['ablate', 'mnist-cnn-toggles', '--features', 'lr'], /--features: 'lr' is a number in 'mnist-cnn-toggles', not a boolean toggle/],
    [['ablate', 'mnist-cnn-toggles', '--features', 'dropout', '--seeds', '1'], /--seeds must be at least 2/],
    [['ablate', 'mnist-cnn-toggles', '--features', 'dropout', '--stepz', '3'], /unknown flag --stepz/],
  ];
  for (const [args, re] of cases) {
    const r = cli(args);
    assert.equal(r.status, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, re, args.join(' '));
    assert.equal(r.stderr.trim().split('\n').length, 1, `one line: ${r.stderr}`);
  }
});

test('lr-find --json: suggestedLr, both suggestions and the curve; a record in a run directory and an SVG', () => {
  const dir = tempDir('tc-lrfind-');
  const r = cli(['lr-find', 'mnist-mlp', ...small, '--steps', '40', '--min', '1e-5', '--max', '10', '--runs', join(dir, 'runs'), '--out', join(dir, 'lr.svg'), '--json']);
  assert.equal(r.status, 0, r.stderr);
  const j = r.json as { suggestedLr: number; recommended: string; suggestions: Record<string, { lr: number }>; curve: Array<{ lr: number; loss: number; smoothed: number }>; runDir: string };
  assert.ok(j.suggestedLr > 1e-5 && j.suggestedLr < 10, String(j.suggestedLr));
  assert.equal(j.recommended, 'min/10');
  assert.equal(j.suggestedLr, j.suggestions['min/10'].lr);
  assert.ok(j.curve.length >= 10 && j.curve.length <= 40);
  assert.match(r.stdout, /suggested learning rate: .* \(min\/10\)/);
  const rec = JSON.parse(readFileSync(join(j.runDir, 'lr-find.json'), 'utf8')) as { curve: unknown[]; suggestedLr: number };
  assert.equal(rec.suggestedLr, j.suggestedLr);
  assert.equal(rec.curve.length, j.curve.length);
  assert.match(readFileSync(join(dir, 'lr.svg'), 'utf8'), /<svg[\s\S]*min\/10 \(recommended\)/);
  assert.equal((JSON.parse(readFileSync(join(j.runDir, 'run.json'), 'utf8')) as { status: string }).status, 'completed');
});

test('lr-sweep --json: runs grouped in a sweep, ranked by validation loss, with intervals over seeds; a rerun resumes', () => {
  const dir = tempDir('tc-sweep-');
  const args = ['lr-sweep', 'mnist-mlp', ...small, '--lrs', '1e-4,3e-3', '--steps', '15', '--seeds', '2', '--json'];
  const r = cli(args, dir);
  assert.equal(r.status, 0, r.stderr);
  const j = r.json as { table: Array<{ lr: number; rank: number; valLoss: number; lo: number; hi: number; gradNormVar: number }>; trials: Array<{ runId: string; runDir: string; status: string }>; sweepFile: string };
  assert.equal(j.trials.length, 4);
  assert.deepEqual(j.table.map((t) => t.rank), [1, 2]);
  assert.ok(j.table[0].valLoss <= j.table[1].valLoss);
  for (const row of j.table) assert.ok(row.lo <= row.valLoss && row.valLoss <= row.hi && row.gradNormVar >= 0);
  for (const t of j.trials) assert.ok(existsSync(join(dir, 'runs', t.runId, 'metrics.jsonl')) && t.status === 'completed');
  for (const f of ['sweep.json', 'sweep-loss.svg', 'sweep-grad-norm.svg', 'sweep-val-loss.svg']) assert.ok(existsSync(join(dir, 'studies', 'mnist-mlp-lr-sweep', f)), f);
  const again = cli(args, dir);
  assert.equal(again.status, 0, again.stderr);
  assert.match(again.stdout, /resumed: 4 finished run\(s\) kept from before/);
});

test('batch-size --json prints the critical batch size with an interval', () => {
  const dir = tempDir('tc-bs-');
  const r = cli(['batch-size', 'mnist-mlp', ...small, '--steps', '20', '--points', '2', '--repeats', '4', '--big', '512', '--runs', join(dir, 'runs'), '--json']);
  assert.equal(r.status, 0, r.stderr);
  const c = (r.json as { criticalBatchSize: { estimate: number; lo: number; hi: number; step: number } }).criticalBatchSize;
  assert.ok(c.estimate > 0 && c.lo <= c.estimate && c.estimate <= c.hi, JSON.stringify(c));
  assert.equal(c.step, 20);
  assert.match(r.stdout, /critical batch size ~ .* \(95% interval .*\)/);
  assert.match(r.stdout, /Your batch size \(64\)/);
});

test('train --noise-scale N logs the gradient noise scale every N steps as a metric', () => {
  const dir = tempDir('tc-noise-');
  const r = cli(['train', 'mnist-mlp', '--epochs', '1', ...small, '--noise-scale', '5', '--out', dir, '--json']);
  assert.equal(r.status, 0, r.stderr);
  const lines = readFileSync(join(String(r.json.runDir), 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { step: number; name: string; value: number });
  const noise = lines.filter((l) => l.name === 'noise_scale');
  // 1200 images at batch 64: 19 steps, measured at 5, 10, 15; the first measurement only seeds the EMAs' ratio.
  assert.ok(noise.length >= 2, `expected noise_scale records, got ${noise.length}`);
  for (const n of noise) {
    assert.equal(n.step % 5, 0);
    assert.ok(Number.isFinite(n.value) && n.value > 0, `noise_scale ${n.value}`);
  }
  assert.equal(cli(['train', 'mnist-mlp', '--noise-scale', '0']).status, 2);
});
