import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { readJsonl } from '../../src/track/files.js';
import { tempDir } from '../helpers.js';

const bin = resolve('bin/tradecraft.js');
const tiny = ['--epochs', '1', '--set', 'limitTrain=700', '--set', 'valSize=200', '--set', 'limitTest=200'];

function cli(cwd: string, args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [bin, ...args], { cwd, encoding: 'utf8', env: { ...process.env, TRADECRAFT_QUIET: '1' } });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}
const lastJson = (s: string) => JSON.parse(s.trim().split('\n').at(-1)!) as Record<string, any>;

test('tune with 2 worker processes: every trial is a run, the study is readable with `study`, --final tests once', () => {
  const cwd = tempDir('tc-tune-cli-');
  const r = cli(cwd, ['tune', 'mnist-mlp', '--trials', '3', '--workers', '2', '--sampler', 'sobol', '--pruner', 'none', ...tiny, '--study', 's1', '--final', '--json']);
  assert.equal(r.status, 0, r.stderr);
  const j = lastJson(r.stdout);
  assert.equal(j.counts.complete, 3);
  assert.equal(j.metric, 'val_accuracy');
  assert.ok(j.best.value > 0.5 && j.best.value <= 1, `best val accuracy ${j.best.value}`);
  assert.ok(j.best.interval[0] < j.best.value && j.best.value < j.best.interval[1]);
  assert.ok(existsSync(join(cwd, 'studies', 's1', 'study.db')), 'the default storage is studies/<name>/study.db');
  const runs = readdirSync(join(cwd, 'runs')).filter((d) => existsSync(join(cwd, 'runs', d, 'run.json')));
  const infos = runs.map((d) => JSON.parse(readFileSync(join(cwd, 'runs', d, 'run.json'), 'utf8')) as { status: string; extra?: Record<string, unknown>; hparams: Record<string, unknown> });
  const trialRuns = infos.filter((i) => i.extra?.study === 's1' && i.extra?.trial !== undefined);
  assert.equal(trialRuns.length, 3, 'one run per trial, each in its own directory');
  assert.deepEqual(new Set(trialRuns.map((i) => i.extra!.trial)), new Set([0, 1, 2]));
  for (const i of trialRuns) assert.equal(i.status, 'completed');
  const final = infos.filter((i) => i.extra?.final === true);
  assert.equal(final.length, 1);
  assert.deepEqual(final[0].hparams.lr, j.best.params.lr, 'the final run uses the best trial\'s parameters');
  assert.equal(readJsonl(join(cwd, 'runs', 'test-ledger.jsonl')).records.length, 1, 'the test set was evaluated once, for the final model only');
  assert.ok(j.final.testAccuracy > 0.5);

  const show = cli(cwd, ['study', 'show', 's1', '--json']);
  assert.equal(show.status, 0, show.stderr);
  const sj = lastJson(show.stdout);
  assert.equal(sj.trials.length, 3);
  assert.deepEqual(sj.trials.map((t: { sequenceIndex: number }) => t.sequenceIndex).sort(), [0, 1, 2], 'Sobol points 0..2, each once');
  const best = cli(cwd, ['study', 'best', 's1', '--json']);
  assert.equal(lastJson(best.stdout).number, j.best.number);
  const csv = cli(cwd, ['study', 'export', 's1']);
  const lines = csv.stdout.trim().split('\n');
  assert.equal(lines.length, 4);
  assert.match(lines[0], /^number,state,value,param_batchSize,param_hidden,param_lr,step_1,retry_of,/);
  const list = cli(cwd, ['study', 'list', '--json']);
  assert.deepEqual(lastJson(list.stdout).studies.map((s: { name: string }) => s.name), ['s1']);
  const refuse = cli(cwd, ['study', 'delete', 's1']);
  assert.equal(refuse.status, 2);
  assert.match(refuse.stderr, /removes 3 trials.*--yes/);
  assert.equal(cli(cwd, ['study', 'delete', 's1', '--yes']).status, 0);
  const gone = cli(cwd, ['study', 'show', 's1']);
  assert.equal(gone.status, 2);
  assert.match(gone.stderr, /no study 's1'/);
});

test('tune refuses a bad search space with one line naming the problem', () => {
  const cwd = tempDir('tc-tune-bad-');
  writeFileSync(join(cwd, 'space.json'), JSON.stringify({ dropout: { type: 'float', low: 0, high: 0.5 } }));
  const r = cli(cwd, ['tune', 'mnist-mlp', '--space', 'space.json', '--trials', '1']);
  assert.equal(r.status, 2);
  assert.match(r.stderr, /unknown hyperparameter 'dropout'/);
  assert.equal(r.stderr.trim().split('\n').length, 1);
  writeFileSync(join(cwd, 'space.json'), JSON.stringify({ lr: { type: 'float', low: 0, high: 0.1, log: true } }));
  const log0 = cli(cwd, ['tune', 'mnist-mlp', '--space', 'space.json']);
  assert.equal(log0.status, 2);
  assert.match(log0.stderr, /log/);
  assert.equal(existsSync(join(cwd, 'studies')), false, 'no study is created for a bad space');
  assert.equal(cli(cwd, ['tune', '--help']).status, 0);
});
