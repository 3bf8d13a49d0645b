import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync, appendFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { tempDir } from '../helpers.js';

// A user's own .ts experiment in a folder of its own. It lives inside the checkout so that its
// `import ... from 'tradecraft'` resolves by package self-reference. 250 steps of 2 accumulated
// batches of 8 per epoch, with dropout (so the RNG state matters), Adam (optimizer state) and a
// cosine schedule stepped per step. The source has no type annotations, so the same text also
// serves as a .mjs module for the tests that are not about TypeScript (loading the TypeScript
// compiler costs a second or more per command).
mkdirSync('.tradecraft', { recursive: true });
const root = tempDir('lifecycle-', join(process.cwd(), '.tradecraft'));
const bin = resolve('bin/tradecraft.js');
const source = `
import { defineExperiment, nn, optim, F, data, tensor, randn, manualSeed } from 'tradecraft';

function blobs(n, seed, name) {
  manualSeed(seed);
  const x = randn([n, 8]);
  const y = new Int32Array(n);
  for (let i = 0; i < n; i++) { y[i] = i % 2; x.data[8 * i] += y[i] ? 0.7 : -0.7; }
  return new data.TensorDataset(x, tensor(y, [n], { dtype: 'int32' }), name);
}

export default defineExperiment({
  name: 'blobs',
  hparams: { lr: 0.05, epochs: 3, batchSize: 8, hidden: 16, seed: 0, accumulateSteps: 2 },
  data: () => ({ train: blobs(4000, 1, 'train'), val: blobs(200, 2, 'val'), test: blobs(300, 3, 'test') }),
  model: (hp) => nn.sequential(nn.linear(8, hp.hidden), nn.relu(), nn.dropout(0.2), nn.linear(hp.hidden, 2)),
  optimizer: (params, hp) => optim.adam(params, { lr: hp.lr }),
  scheduler: (opt, hp, stepsPerEpoch) => new optim.LRScheduler(opt, optim.cosineSchedule(hp.epochs * stepsPerEpoch)),
  schedulerInterval: 'step',
  loss: (out, y) => F.crossEntropy(out, y),
  monitor: 'val_accuracy',
});
`;
const expDir = join(root, 'my-experiments');
mkdirSync(expDir);
const expFile = join(expDir, 'blobs.ts');
writeFileSync(expFile, source);
const jsFile = join(expDir, 'blobs.mjs');
writeFileSync(jsFile, source);
const elsewhere = join(root, 'elsewhere');
mkdirSync(elsewhere);

interface Result { status: number | null; stdout: string; stderr: string }
const env = (extra: Record<string, string> = {}) => ({ ...process.env, TRADECRAFT_QUIET: '1', ...extra });

function cli(args: string[], cwd = process.cwd(), extra: Record<string, string> = {}): Result {
  const r = spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', cwd, env: env(extra) });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

function lastJson(stdout: string): Record<string, unknown> {
  return JSON.parse(stdout.trim().split('\n').pop()!) as Record<string, unknown>;
}

const trainArgs = ['--checkpoint-every', '50', '--json'];
const finalKeys = ['testAccuracy', 'testLoss', 'valAccuracy', 'epochs', 'chosenEpoch'];

/** Resolves once the run's last.json points at a step checkpoint inside epoch 2 (or rejects if the child exits first). */
function waitForStepCheckpoint(child: ChildProcess, out: string): Promise<string> {
  return new Promise((resolveDir, reject) => {
    const timer = setInterval(() => {
      const runs = existsSync(out) ? readdirSync(out).filter((d) => d.startsWith('blobs-')) : [];
      if (!runs.length) return;
      const pointer = join(out, runs[0], 'checkpoints', 'last.json');
      if (!existsSync(pointer)) return;
      const last = JSON.parse(readFileSync(pointer, 'utf8')) as { dir: string; epoch: number };
      if (last.dir.startsWith('step-') && last.epoch === 1) {
        clearInterval(timer);
        resolveDir(join(out, runs[0]));
      }
    }, 2);
    child.on('exit', () => { clearInterval(timer); reject(new Error('the run finished before it could be stopped')); });
  });
}

let expected: Record<string, unknown>;
let fullRun: string;

test('an uninterrupted run of a .ts experiment records its file, hash and package version', () => {
  const r = cli(['train', expFile, '--out', join(root, 'full'), ...trainArgs]);
  assert.equal(r.status, 0, r.stderr);
  expected = lastJson(r.stdout);
  fullRun = expected.runDir as string;
  const info = JSON.parse(readFileSync(join(fullRun, 'run.json'), 'utf8')) as { source: Record<string, string>; status: string; pid: number; heartbeatAt: string };
  assert.equal(info.source.kind, 'file');
  assert.equal(info.source.path, expFile);
  assert.match(info.source.sha256, /^[0-9a-f]{64}$/);
  assert.equal(info.source.version, JSON.parse(readFileSync('package.json', 'utf8')).version);
  assert.equal(info.status, 'completed');
  assert.ok(info.pid > 0 && info.heartbeatAt, 'liveness fields recorded');
});

test('SIGKILL mid-epoch after a step checkpoint: runs shows crashed once the heartbeat is stale; resume (from another directory) ends with the same numbers; test and compare work', async () => {
  const out = join(root, 'killed');
  const child = spawn(process.execPath, [bin, 'train', expFile, '--out', out, ...trainArgs], { stdio: 'ignore', env: env() });
  const runDir = await waitForStepCheckpoint(child, out);
  child.kill('SIGKILL');
  await new Promise((r) => child.on('exit', r));
  const last = JSON.parse(readFileSync(join(runDir, 'checkpoints', 'last.json'), 'utf8')) as { dir: string };
  assert.match(last.dir, /^step-/, 'killed after a mid-epoch checkpoint');
  const state = JSON.parse(readFileSync(join(runDir, 'checkpoints', last.dir, 'trainer.json'), 'utf8')) as { inEpoch: { epoch: number; batch: number } };
  assert.ok(state.inEpoch.epoch === 2 && state.inEpoch.batch > 0 && state.inEpoch.batch < 500, JSON.stringify(state.inEpoch));

  const live = lastJson(cli(['runs', out, '--json']).stdout) as { runs: Array<{ status: string }> };
  assert.equal(live.runs[0].status, 'running', 'a fresh heartbeat reads as running');
  await new Promise((r) => setTimeout(r, 400));
  const stale = cli(['runs', out, '--json'], process.cwd(), { TRADECRAFT_HEARTBEAT_STALE_MS: '300' });
  assert.equal(stale.status, 0, stale.stderr);
  assert.equal((lastJson(stale.stdout) as { runs: Array<{ status: string }> }).runs[0].status, 'crashed');

  const resumed = cli(['train', '--resume', runDir, '--json'], elsewhere);
  assert.equal(resumed.status, 0, resumed.stderr);
  const got = lastJson(resumed.stdout);
  for (const k of finalKeys) assert.equal(got[k], expected[k], `${k} after resuming from ${last.dir}`);
  assert.deepEqual(got.testAccuracyCI, expected.testAccuracyCI);

  const tested = cli(['test', '--run', runDir, '--json'], elsewhere);
  assert.equal(tested.status, 0, tested.stderr);
  assert.equal(lastJson(tested.stdout).testAccuracy, expected.testAccuracy);
  const cmp = cli(['compare', fullRun, runDir, '--json'], elsewhere);
  assert.equal(cmp.status, 0, cmp.stderr);
  const c = lastJson(cmp.stdout) as { accuracyA: number; accuracyB: number; discordant: number };
  assert.equal(c.accuracyA, c.accuracyB);
  assert.equal(c.discordant, 0, 'the same model: no item on which they disagree');
  const listed = lastJson(cli(['runs', out, '--json']).stdout) as { runs: Array<{ status: string; best: { interval: number[] }; test: { accuracy: number } }> };
  assert.equal(listed.runs[0].status, 'completed');
  assert.equal(listed.runs[0].test.accuracy, expected.testAccuracy);
  assert.equal(listed.runs[0].best.interval.length, 2);
});

test('SIGINT mid-epoch finishes the step, writes a checkpoint, marks the run interrupted and prints the resume command', async () => {
  const out = join(root, 'interrupted');
  // The .mjs twin of the experiment (same text, same numbers) spares two loads of the TypeScript compiler.
  const child = spawn(process.execPath, [bin, 'train', jsFile, '--out', out, '--checkpoint-every', 'off', '--json'], { env: env() });
  let stdout = '';
  child.stdout!.on('data', (d: Buffer) => { stdout += d.toString(); });
  // Wait for a record from epoch 2 in metrics.jsonl: mid-epoch, with no step checkpoint of its own yet.
  const runDir = await new Promise<string>((resolveDir, reject) => {
    const timer = setInterval(() => {
      const runs = existsSync(out) ? readdirSync(out).filter((d) => d.startsWith('blobs-')) : [];
      const metrics = runs.length ? join(out, runs[0], 'metrics.jsonl') : '';
      if (metrics && existsSync(metrics) && readFileSync(metrics, 'utf8').includes('"epoch":2,"split":"train","name":"batch_loss"')) {
        clearInterval(timer);
        child.kill('SIGINT');
        resolveDir(join(out, runs[0]));
      }
    }, 2);
    child.on('exit', () => { clearInterval(timer); reject(new Error('the run finished before it could be interrupted')); });
  });
  const code = await new Promise<number | null>((r) => child.on('exit', (c) => r(c)));
  assert.equal(code, 130);
  assert.match(stdout, /interrupted at epoch 2, batch \d+ \(step \d+\); checkpoint written\. Resume with: tradecraft train --resume \S+/);
  const info = JSON.parse(readFileSync(join(runDir, 'run.json'), 'utf8')) as { status: string };
  assert.equal(info.status, 'interrupted');
  const last = JSON.parse(readFileSync(join(runDir, 'checkpoints', 'last.json'), 'utf8')) as { dir: string };
  assert.match(last.dir, /^step-/);
  const j = lastJson(stdout) as { interrupted: boolean; resumeCommand: string };
  assert.equal(j.interrupted, true);
  const listed = lastJson(cli(['runs', out, '--json'], process.cwd(), { TRADECRAFT_HEARTBEAT_STALE_MS: '1' }).stdout) as { runs: Array<{ status: string }> };
  assert.equal(listed.runs[0].status, 'interrupted', 'a clean stop is not read as a crash');
  const resumed = cli(['train', '--resume', runDir, '--json']);
  assert.equal(resumed.status, 0, resumed.stderr);
  const got = lastJson(resumed.stdout);
  for (const k of finalKeys) assert.equal(got[k], expected[k], `${k} after an interrupt and resume`);
});

test('a moved or changed experiment file is named, and --experiment points at it', () => {
  const out = join(root, 'mjs');
  const first = cli(['train', jsFile, '--out', out, '--epochs', '1', '--checkpoint-every', 'off', '--json']);
  assert.equal(first.status, 0, first.stderr);
  const runDir = lastJson(first.stdout).runDir as string;
  appendFileSync(jsFile, '// edited\n');
  let r = cli(['test', '--run', runDir]);
  assert.equal(r.status, 2);
  assert.match(r.stderr.trim(), /changed since run blobs-\S+ was trained \(sha256 [0-9a-f]{12} then, [0-9a-f]{12} now\); restore it, or pass --experiment/);
  const moved = join(root, 'moved.mjs');
  renameSync(jsFile, moved);
  r = cli(['compare', runDir, runDir]);
  assert.equal(r.status, 2);
  assert.match(r.stderr.trim(), /no longer there \(moved or deleted\); pass --experiment PATH/);
  r = cli(['test', '--run', runDir, '--experiment', moved, '--json']);
  assert.equal(r.status, 0, r.stderr);
  assert.equal(lastJson(r.stdout).testAccuracy, lastJson(first.stdout).testAccuracy);
  assert.match(r.stderr, /differs from the file run blobs-\S+ was trained with/);
  renameSync(moved, jsFile);
  writeFileSync(jsFile, source);
});

test('--resume --epochs continues a finished run; a schedule computed over the budget needs --reschedule', () => {
  const out = join(root, 'mjs');
  const runDir = join(out, readdirSync(out).find((d) => d.startsWith('blobs-'))!);
  let r = cli(['train', '--resume', runDir]);
  assert.equal(r.status, 2);
  assert.match(r.stderr, /already finished its 1 epoch\(s\); pass --epochs N/);
  r = cli(['train', '--resume', runDir, '--epochs', '2']);
  assert.equal(r.status, 2);
  assert.match(r.stderr, /computed over the run's budget of 1 epochs .* --reschedule extend .* --reschedule restart/);
  r = cli(['train', '--resume', runDir, '--epochs', '2', '--reschedule', 'restart', '--json']);
  assert.equal(r.status, 0, r.stderr);
  assert.equal(lastJson(r.stdout).epochs, 2);
  const info = JSON.parse(readFileSync(join(runDir, 'run.json'), 'utf8')) as { hparams: { epochs: number }; extra: { scheduleEpochs: number; reschedules: Array<{ mode: string }> } };
  assert.equal(info.hparams.epochs, 2);
  assert.equal(info.extra.scheduleEpochs, 1, 'restart: a fresh one-epoch schedule for the one remaining epoch');
  assert.equal(info.extra.reschedules[0].mode, 'restart');
  // The lr of the first step after the restart is the schedule's start again, not the end of the old one.
  const lrs = readFileSync(join(runDir, 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { step: number; name: string; value: number })
    .filter((m) => m.name === 'lr');
  const atRestart = lrs.find((m) => m.step === 251)!;
  assert.equal(atRestart.value, 0.05);
  // extend: the one-epoch schedule of the restart, stretched by the epoch added, continues at its
  // position (250 of 500 steps): the lr is the cosine's midpoint, half the base lr.
  r = cli(['train', '--resume', runDir, '--epochs', '3', '--reschedule', 'extend', '--checkpoint-every', 'off']);
  assert.equal(r.status, 0, r.stderr);
  const info3 = JSON.parse(readFileSync(join(runDir, 'run.json'), 'utf8')) as { hparams: { epochs: number }; extra: { scheduleEpochs: number } };
  assert.deepEqual([info3.hparams.epochs, info3.extra.scheduleEpochs], [3, 2]);
  const lr501 = readFileSync(join(runDir, 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { step: number; name: string; value: number })
    .filter((m) => m.name === 'lr' && m.step === 501);
  assert.ok(Math.abs(lr501[lr501.length - 1].value - 0.025) < 1e-12, `lr after extend ${lr501[lr501.length - 1].value}`);
});
