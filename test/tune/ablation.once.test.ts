import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ablationTable, ablationVariants, checkFeatures, type AblationStudyFile } from '../../src/tune/ablation.js';
import { builtinExperiments } from '../../src/experiments/registry.js';
import { tempDir } from '../helpers.js';

const bin = join(process.cwd(), 'bin/tradecraft.js');

test('variants: leave-one-out starts from the full model, add-one from the baseline', () => {
  assert.deepEqual(ablationVariants(['a', 'b'], 'leave-one-out').map((v) => [v.name, v.settings]), [
    ['full', { a: true, b: true }], ['-a', { a: false, b: true }], ['-b', { a: true, b: false }],
  ]);
  assert.deepEqual(ablationVariants(['a', 'b'], 'add-one').map((v) => v.name), ['baseline', '+a', '+b']);
  const exp = builtinExperiments['mnist-cnn-toggles'];
  assert.doesNotThrow(() => checkFeatures(exp, ['batchNorm', 'dropout', 'augment', 'warmup']));
  assert.throws(() => checkFeatures(exp, ['lr']), /not a boolean toggle; toggles are batchNorm, dropout, augment, warmup/);
  assert.throws(() => checkFeatures(exp, ['bn']), /has no hyperparameter 'bn'/);
});

test('the table: paired difference to the full model, and "no detectable effect" when its interval covers 0', () => {
  const seeds = [0, 1, 2, 3];
  const full = [0.95, 0.96, 0.94, 0.955];
  const noA = full.map((v, i) => v - 0.05 - 0.002 * i); // consistently 5 points worse: matters
  const noB = full.map((v, i) => v + [0.004, -0.003, 0.002, -0.004][i]); // noise around 0
  const trials = seeds.flatMap((s, i) => [
    { variant: 'full', seed: s, status: 'completed' as const, value: full[i] },
    { variant: '-a', seed: s, status: 'completed' as const, value: noA[i] },
    { variant: '-b', seed: s, status: 'completed' as const, value: noB[i] },
  ]);
  const study: AblationStudyFile = {
    kind: 'ablation', version: 1, createdAt: '', updatedAt: '', trials,
    spec: { name: 's', experiment: 'x', features: ['a', 'b'], seeds, mode: 'leave-one-out', overrides: {}, metric: 'val_accuracy' },
  };
  const [f, a, b] = ablationTable(study);
  assert.equal(f.verdict, 'reference');
  assert.ok(Math.abs(f.mean - 0.95125) < 1e-12);
  assert.ok(f.lo < f.mean && f.mean < f.hi);
  assert.ok(Math.abs(a.difference! - -0.053) < 1e-9, String(a.difference));
  assert.ok(a.diffHi! < 0);
  assert.equal(a.verdict, 'matters: removing a hurts');
  assert.ok(b.diffLo! < 0 && b.diffHi! > 0);
  assert.equal(b.verdict, 'no detectable effect');
  // A loss metric flips the direction: lower is better.
  const lossStudy = { ...study, spec: { ...study.spec, metric: 'val_loss' } };
  assert.equal(ablationTable(lossStudy)[1].verdict, 'matters: removing a helps');
});

test('ablate: a killed study resumes without redoing finished runs', async () => {
  const dir = tempDir('tc-ablate-');
  const args = [bin, 'ablate', 'mnist-cnn-toggles', '--features', 'batchNorm,dropout', '--seeds', '2', '--epochs', '1',
    '--set', 'limitTrain=400', '--set', 'valSize=100', '--set', 'limitTest=100', '--name', 'tiny', '--json'];
  const studyFile = join(dir, 'studies', 'tiny', 'ablation.json');
  const read = () => JSON.parse(readFileSync(studyFile, 'utf8')) as AblationStudyFile;
  const child = spawn(process.execPath, args, { cwd: dir, env: { ...process.env, TRADECRAFT_QUIET: '1' }, stdio: 'ignore' });
  const exited = new Promise<void>((res) => child.on('exit', () => res()));
  // Kill it as soon as two trials are done (the study file is rewritten atomically, so it always parses).
  for (let waited = 0; ; waited += 50) {
    if (existsSync(studyFile) && read().trials.filter((t) => t.status === 'completed').length >= 2) break;
    if (child.exitCode !== null) assert.fail('the study finished before it could be killed; make the budget larger');
    assert.ok(waited < 120_000, 'no trial finished within 2 minutes');
    await new Promise((r) => setTimeout(r, 50));
  }
  child.kill('SIGKILL');
  await exited;
  const before = read();
  const done = before.trials.filter((t) => t.status === 'completed');
  assert.ok(done.length >= 2 && done.length < 6, `${done.length} finished before the kill`);

  const r = spawnSync(process.execPath, args, { cwd: dir, encoding: 'utf8', env: { ...process.env, TRADECRAFT_QUIET: '1' } });
  assert.equal(r.status, 0, r.stderr);
  const j = JSON.parse(r.stdout.trim().split('\n').pop()!) as { resumed: number; ran: number; table: Array<{ variant: string; n: number; verdict: string }> };
  assert.equal(j.resumed, done.length);
  assert.equal(j.ran, 6 - done.length);
  assert.match(r.stdout, new RegExp(`resumed: ${done.length} finished trial\\(s\\) kept from before`));
  const after = read();
  assert.ok(after.trials.every((t) => t.status === 'completed'));
  for (const t of done) assert.equal(after.trials.find((u) => u.variant === t.variant && u.seed === t.seed)!.runId, t.runId, 'a finished run was redone');
  // Every finished trial is a real run; at most one extra run was abandoned by the kill.
  const runs = readdirSync(join(dir, 'runs')).filter((d) => d.startsWith('mnist-cnn-toggles'));
  assert.ok(runs.length === 6 || runs.length === 7, `${runs.length} run directories`);
  for (const t of after.trials) {
    const info = JSON.parse(readFileSync(join(dir, 'runs', t.runId!, 'run.json'), 'utf8')) as { status: string; extra: { variant: string } };
    assert.equal(info.status, 'completed');
    assert.equal(info.extra.variant, t.variant);
    assert.ok(!existsSync(join(dir, 'runs', 'test-ledger.jsonl')), 'an ablation never evaluates the test set');
  }
  assert.deepEqual(j.table.map((row) => [row.variant, row.n]), [['full', 2], ['-batchNorm', 2], ['-dropout', 2]]);
  assert.ok(existsSync(join(dir, 'studies', 'tiny', 'ablation.svg')));

  // Same name, different settings: refused with a one-line cause.
  const clash = spawnSync(process.execPath, [...args.slice(0, -1).map((a) => (a === '2' ? '3' : a))], { cwd: dir, encoding: 'utf8', env: { ...process.env, TRADECRAFT_QUIET: '1' } });
  assert.equal(clash.status, 2);
  assert.match(clash.stderr, /already exists with different settings \(seeds 0,1 vs 0,1,2\)/);
});
