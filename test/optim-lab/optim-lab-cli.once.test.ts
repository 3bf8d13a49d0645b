import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readJsonl } from '../../src/track/files.js';
import { tempDir } from '../helpers.js';

const bin = 'bin/tradecraft.js';
const run = (args: string[]) => spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', env: { ...process.env, TRADECRAFT_QUIET: '1' } });
const small = ['--set', 'limitTrain=700', '--set', 'valSize=100', '--set', 'limitTest=100', '--epochs', '1'];

test('train --track-sharpness N logs sharpness and two_over_lr every N steps, and plot draws them', () => {
  const out = tempDir('tc-sharp-cli-');
  const r = run(['train', 'mnist-mlp', ...small, '--track-sharpness', '4', '--out', out, '--json']);
  assert.equal(r.status, 0, r.stderr);
  const runDir = (JSON.parse(r.stdout.trim().split('\n').pop()!) as { runDir: string }).runDir;
  const ms = readJsonl<{ name: string; step: number; value: number }>(join(runDir, 'metrics.jsonl')).records;
  const sharp = ms.filter((m) => m.name === 'sharpness'), limit = ms.filter((m) => m.name === 'two_over_lr');
  const steps = Math.max(...ms.filter((m) => m.name === 'grad_norm').map((m) => m.step));
  assert.equal(steps, 10, '600 examples at batch 64: 10 steps');
  assert.deepEqual(sharp.map((m) => m.step), [1, 5, 9]);
  assert.ok(sharp.every((m) => Number.isFinite(m.value) && m.value > 0), JSON.stringify(sharp));
  // mnist-mlp schedules its lr per step: 2/lr is that step's.
  const lrAt = (step: number) => ms.find((m) => m.name === 'lr' && m.step === step)!.value;
  assert.deepEqual(limit.map((m) => [m.step, m.value]), sharp.map((m) => [m.step, 2 / lrAt(m.step)]));
  const svg = join(out, 'sharpness.svg');
  const p = run(['plot', runDir, '--metric', 'sharpness', '--out', svg]);
  assert.equal(p.status, 0, p.stderr);
  assert.ok(readFileSync(svg, 'utf8').startsWith('<svg'));
});

test('train --track-sharpness rejects a value that is not a positive integer, naming the flag', () => {
  for (const bad of ['0', '-3', 'abc', '2.5']) {
    const r = run(['train', 'mnist-mlp', '--track-sharpness', bad]);
    assert.equal(r.status, 2, `${bad}: ${r.stderr}`);
    assert.match(r.stderr, /--track-sharpness/);
  }
});

test('compare-optimizers runs each optimizer at its own range-test lr by default and shows it; --lr find with --lrs is a usage error', () => {
  const out = tempDir('tc-cmp-lr-');
  const r = run(['compare-optimizers', 'mnist-mlp', '--set', 'limitTrain=1200', '--set', 'valSize=200', '--set', 'limitTest=100', '--optimizers', 'sgd,adam',
    '--iterations', '15', '--seeds', '1', '--lr-find-steps', '30', '--out', out, '--json']);
  assert.equal(r.status, 0, r.stderr);
  const j = JSON.parse(r.stdout.trim().split('\n').pop()!) as { dir: string; lrMode: string; ranking: Array<{ optimizer: string; bestLr: number; lrFrom: string }> };
  assert.equal(j.lrMode, 'find');
  const summary = JSON.parse(readFileSync(join(j.dir, 'summary.json'), 'utf8')) as { rangeTests: Array<{ optimizer: string; lr: number }> };
  for (const x of j.ranking) {
    assert.equal(x.lrFrom, 'range test');
    assert.equal(x.bestLr, summary.rangeTests.find((t) => t.optimizer === x.optimizer)!.lr);
  }
  const table = readFileSync(join(j.dir, 'table.txt'), 'utf8');
  assert.match(table, /lr from/);
  assert.match(table, /adam\s+\S+\s+range test/);
  const bad = run(['compare-optimizers', 'mnist-mlp', '--lr', 'find', '--lrs', '0.1']);
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /--lr find .* --lrs/);
});
