import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '../helpers.js';

const bin = 'bin/tradecraft.js';
const run = (args: string[]) => spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', env: { ...process.env, TRADECRAFT_QUIET: '1' } });
const lastJson = (s: string) => JSON.parse(s.trim().split('\n').pop()!) as Record<string, any>;

test('prune --json runs IMP with a control and writes the study (results.jsonl, table, SVG, summary)', () => {
  const out = tempDir('tc-prune-');
  const r = run(['prune', 'mnist-lenet300', '--rounds', '2', '--seeds', '1', '--iterations', '30', '--control', 'reinit,random', '--control-every', '1',
    '--set', 'limitTrain=1500', '--set', 'valSize=300', '--set', 'limitTest=300', '--out', out, '--json']);
  assert.equal(r.status, 0, r.stderr);
  const j = lastJson(r.stdout);
  assert.equal(j.rows.length, 1 + 2 * 3, 'round 0, then rewind + reinit + random at rounds 1 and 2');
  assert.equal(j.claim.held, false, 'two rounds cannot show the claim');
  for (const f of ['study.json', 'results.jsonl', 'summary.json', 'table.txt', 'accuracy.svg']) assert.ok(existsSync(join(j.dir, f)), f);
  assert.equal(readFileSync(join(j.dir, 'results.jsonl'), 'utf8').trim().split('\n').length, 7);
  assert.match(readFileSync(join(j.dir, 'accuracy.svg'), 'utf8'), /^<svg[\s\S]*log scale[\s\S]*<\/svg>\n$/);
});

test('prune and repro reject bad input with one line naming the problem', () => {
  let r = run(['prune', 'mnist-lenet300', '--rate', '1.5']);
  assert.equal(r.status, 2);
  assert.match(r.stderr, /--rate must be in \(0, 1\)/);
  r = run(['prune', 'mnist-lenet300', '--control', 'bogus']);
  assert.match(r.stderr, /unknown control 'bogus'/);
  r = run(['repro', 'random-label']);
  assert.equal(r.status, 2);
  assert.match(r.stderr, /did you mean 'random-labels'/);
  r = run(['repro', 'initialization', '--size', 'depht=3']);
  assert.match(r.stderr, /has no size 'depht'/);
  r = run(['compare-optimizers', 'mnist-mlp', '--optimizers', 'sgd,adamm']);
  assert.equal(r.status, 2);
  assert.match(r.stderr, /unknown optimizer 'adamm'/);
  r = run(['compare-optimizers', 'mnist-mlp', '--lrs', '0.1,-1']);
  assert.match(r.stderr, /--lrs must be positive numbers/);
  r = run(['repro', '--help']);
  assert.equal(r.status, 0);
  for (const n of ['random-labels', 'adam-vs-sgd-linear', 'initialization', 'lottery']) assert.ok(r.stdout.includes(n), n);
});

test('repro initialization --json writes its plots and states the verdict', () => {
  const out = tempDir('tc-repro-');
  const r = run(['repro', 'initialization', '--size', 'depth=4', '--size', 'width=16', '--size', 'batch=16', '--out', out, '--json']);
  assert.equal(r.status, 0, r.stderr);
  const j = lastJson(r.stdout);
  assert.equal(typeof j.held, 'boolean');
  const files = readdirSync(j.dir);
  for (const f of ['table.txt', 'summary.json', 'activation-variance-plain.svg', 'gradient-variance-residual.svg']) assert.ok(files.includes(f), f);
});
