import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { readdirSync, existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readJsonl } from '../../src/track/files.js';
import { tempDir } from '../helpers.js';

const bin = 'bin/tradecraft.js';
const small = ['--set', 'limitTrain=3000', '--set', 'valSize=500', '--set', 'limitTest=1000'];

function lastJson(stdout: string): Record<string, unknown> {
  const lines = stdout.trim().split('\n');
  return JSON.parse(lines[lines.length - 1]) as Record<string, unknown>;
}

function train(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [bin, 'train', ...args], { encoding: 'utf8', env: { ...process.env, TRADECRAFT_QUIET: '1' } });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

test('train --json prints the result object last, with a Wilson interval around the test accuracy', () => {
  const out = tempDir('tc-train-');
  const r = train(['mnist-mlp', '--epochs', '1', ...small, '--out', out, '--json']);
  assert.equal(r.status, 0, r.stderr);
  const j = lastJson(r.stdout);
  for (const k of ['testAccuracy', 'testAccuracyCI', 'valAccuracy', 'epochs', 'samplesPerSecond', 'runDir']) assert.ok(k in j, `missing ${k}`);
  const acc = j.testAccuracy as number;
  const [lo, hi] = j.testAccuracyCI as number[];
  assert.ok(acc > 0.8, `a 1-epoch MLP on 2500 images should pass 80% test accuracy, got ${acc}`);
  assert.ok(lo < acc && acc < hi && hi - lo < 0.06, `interval ${lo}-${hi} around ${acc}`);
  const runDir = j.runDir as string;
  for (const f of ['run.json', 'metrics.jsonl', 'summary.json', 'split.json', 'checkpoints/last.json', 'checkpoints/best.json']) {
    assert.ok(existsSync(join(runDir, f)), `run directory lacks ${f}`);
  }
  const info = JSON.parse(readFileSync(join(runDir, 'run.json'), 'utf8')) as { status: string; hparams: Record<string, unknown> };
  assert.equal(info.status, 'completed');
  assert.equal(info.hparams.limitTrain, 3000);
  const names = new Set(readJsonl<{ name: string }>(join(runDir, 'metrics.jsonl')).records.map((r) => r.name));
  for (const n of ['batch_loss', 'lr', 'grad_norm', 'samples_per_second', 'train_loss', 'val_loss', 'train_accuracy', 'val_accuracy']) {
    assert.ok(names.has(n), `metrics.jsonl lacks ${n}`);
  }
  assert.match(r.stdout, /epoch 1\/1 {2}train loss [0-9.]+ acc [0-9.]+ \[[0-9.]+, [0-9.]+\] \| val loss [0-9.]+ acc [0-9.]+ \[[0-9.]+, [0-9.]+\] \| gap [+-][0-9.]+/);
  assert.match(r.stdout, /test accuracy 0\.\d{4} \(95% Wilson CI 0\.\d{4}-0\.\d{4}, n=1000\)/);
});

test('a second model evaluated on the same test set triggers the ledger warning', () => {
  const out = tempDir('tc-ledger-');
  const a = train(['mnist-mlp', '--epochs', '1', ...small, '--out', out, '--seed', '1']);
  assert.equal(a.status, 0, a.stderr);
  assert.doesNotMatch(a.stderr, /different models/);
  const b = train(['mnist-mlp', '--epochs', '1', ...small, '--out', out, '--seed', '2']);
  assert.equal(b.status, 0, b.stderr);
  assert.match(b.stderr, /evaluated for 2 different models/);
  assert.equal(readJsonl(join(out, 'test-ledger.jsonl')).records.length, 2);
  const [runA, runB] = readdirSync(out).filter((d) => d.startsWith('mnist-mlp')).sort().map((d) => join(out, d));
  const cmp = spawnSync(process.execPath, [bin, 'compare', runA, runB, '--json'], { encoding: 'utf8', env: { ...process.env, TRADECRAFT_QUIET: '1' } });
  assert.equal(cmp.status, 0, cmp.stderr);
  const j = lastJson(cmp.stdout) as { b: number; c: number; discordant: number; pValue: number; accuracyA: number; accuracyB: number };
  assert.equal(j.discordant, j.b + j.c);
  assert.ok(Math.abs(j.accuracyA - j.accuracyB - (j.b - j.c) / 1000) < 1e-9, 'the accuracy difference is (b - c) / n on the same items');
  assert.ok(j.pValue > 0 && j.pValue <= 1);
});

test('train --final retrains on train+validation and evaluates the test set once with the last model', () => {
  const out = tempDir('tc-final-');
  const r = train(['mnist-mlp', '--epochs', '1', ...small, '--out', out, '--final', '--json']);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /data: 3000 train, 500 validation \(merged into training\)/);
  assert.match(r.stdout, /model from epoch 1 \(final\); test set evaluated once/);
  const j = lastJson(r.stdout);
  const info = JSON.parse(readFileSync(join(j.runDir as string, 'run.json'), 'utf8')) as { extra?: { final?: boolean } };
  assert.equal(info.extra?.final, true);
  assert.equal(readJsonl(join(out, 'test-ledger.jsonl')).records.length, 1);
});

test('bad input exits non-zero with a one-line cause, and leaves no run directory behind', () => {
  const badOut = tempDir('tc-bad-');
  const cases: Array<[string[], RegExp]> = [
    [['mnist-mlp', '--epochs', '-1'], /--epochs/],
    [['mnist-mlp', '--lr', 'abc'], /--lr/],
    [['mnist-mlp', '--bogus'], /--bogus/],
    [['mnist-mlp', '--set', 'nope=3'], /no hyperparameter 'nope'/],
    [['no-such-experiment'], /unknown experiment 'no-such-experiment'/],
    [['mnist-mlp', '--data-dir', '/nonexistent-dir', '--out', badOut], /does not exist/],
    [['mnist-mlp', '--resume', '/nonexistent-run'], /not a run directory/],
  ];
  for (const [args, pattern] of cases) {
    const r = train(args);
    assert.notEqual(r.status, 0, `${args.join(' ')} should fail`);
    const lines = r.stderr.trim().split('\n');
    assert.equal(lines.length, 1, `one line expected for ${args.join(' ')}, got:\n${r.stderr}`);
    assert.match(lines[0], pattern);
    assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
  }
  assert.deepEqual(readdirSync(badOut), [], 'a failed data load created no run');
});

test('a run killed with SIGKILL mid-epoch resumes to the same final numbers as an uninterrupted run', async () => {
  const args = ['mnist-mlp', '--epochs', '3', ...small, '--json'];
  const outA = tempDir('tc-full-');
  const full = train([...args, '--out', outA]);
  assert.equal(full.status, 0, full.stderr);
  const expected = lastJson(full.stdout);

  const outB = tempDir('tc-kill-');
  const child = spawn(process.execPath, [bin, 'train', ...args, '--out', outB], { stdio: 'ignore', env: { ...process.env, TRADECRAFT_QUIET: '1' } });
  const runDir = await new Promise<string>((resolve, reject) => {
    const timer = setInterval(() => {
      const dirs = existsSync(outB) ? readdirSync(outB).filter((d) => d.startsWith('mnist-mlp')) : [];
      if (!dirs.length) return;
      const metrics = join(outB, dirs[0], 'metrics.jsonl');
      if (!existsSync(metrics)) return;
      const recs = readJsonl<{ epoch: number; name: string }>(metrics).records;
      if (recs.some((r) => r.epoch === 2 && r.name === 'batch_loss')) {
        clearInterval(timer);
        child.kill('SIGKILL');
        resolve(join(outB, dirs[0]));
      }
    }, 5);
    child.on('exit', () => { clearInterval(timer); reject(new Error('the run finished before it could be killed')); });
  });
  await new Promise((r) => child.on('exit', r));
  const { records } = readJsonl<{ epoch: number; name: string }>(join(runDir, 'metrics.jsonl'));
  assert.ok(records.some((r) => r.epoch === 2), 'metrics.jsonl is readable and has records from the killed epoch');
  const last = JSON.parse(readFileSync(join(runDir, 'checkpoints', 'last.json'), 'utf8')) as { epoch: number };
  assert.equal(last.epoch, 1, 'the last complete checkpoint is from epoch 1');

  const resumed = train(['--resume', runDir, '--json']);
  assert.equal(resumed.status, 0, resumed.stderr);
  const got = lastJson(resumed.stdout);
  for (const k of ['testAccuracy', 'testLoss', 'valAccuracy', 'epochs']) assert.equal(got[k], expected[k], `${k} after resume`);
  assert.deepEqual(got.testAccuracyCI, expected.testAccuracyCI);
});
