import type { Experiment, HParams, DataContext } from '../experiments/define.js';
import { manualSeed } from '../tensor/random.js';
import { backend } from '../backend/registry.js';
import { Trainer, type BatchInfo, type FitResult } from '../train/trainer.js';
import type { Callback } from '../train/callbacks.js';
import { Run } from '../track/run-store.js';

export interface TrainRunOptions {
  /** Folder of run directories. */
  runsDir: string;
  dataContext?: DataContext;
  /** Kept in run.json (`extra`): which study and variant a run belongs to. */
  extra?: Record<string, unknown>;
  versions?: Record<string, string>;
  callbacks?: Callback[];
  onBatch?: (b: BatchInfo) => void;
  /** Called once the run directory exists, before training (studies record it as running). */
  onRunCreated?: (run: Run) => void;
  print?: (line: string) => void;
}

export interface TrainRunResult {
  run: Run;
  fit: FitResult;
  /** The metrics of the last epoch (full passes over train and validation). */
  last: Record<string, number>;
}

/**
 * Trains one configuration of an experiment as a real run in the run store (run.json,
 * metrics.jsonl, checkpoints, summary.json), like `tradecraft train` but without the test set:
 * the studies that call it (ablations) compare validation numbers, and a test set consulted once
 * per variant would stop being a test set.
 */
export function trainRun(exp: Experiment<HParams>, hp: HParams, o: TrainRunOptions): TrainRunResult {
  const seed = Number(hp.seed ?? 0);
  manualSeed(seed);
  const data = exp.data(hp, o.dataContext ?? {});
  const run = Run.create(o.runsDir, {
    experiment: exp.name, hparams: hp, seed, backend: backend().describe(), versions: o.versions ?? {}, extra: o.extra,
  });
  run.info.pid = process.pid;
  run.saveInfo();
  try {
    o.onRunCreated?.(run);
    const model = exp.model(hp);
    const optimizer = exp.optimizer(model.parameters(), hp);
    const batchSize = Number(hp.batchSize ?? 64);
    const scheduler = exp.scheduler?.(optimizer, hp, Math.ceil(data.train.length / batchSize));
    const trainer = new Trainer({
      model, optimizer, loss: exp.loss, scheduler, schedulerInterval: exp.schedulerInterval, run,
      checkpointMonitor: exp.monitor ?? 'val_loss', callbacks: o.callbacks, onBatch: o.onBatch, print: o.print,
      clipGradNorm: typeof hp.clipGradNorm === 'number' && hp.clipGradNorm > 0 ? hp.clipGradNorm : undefined,
    });
    const fit = trainer.fit({ train: data.train, val: data.val, trainTransform: data.trainTransform }, { epochs: Number(hp.epochs ?? 1), batchSize, seed });
    const last = fit.history[fit.history.length - 1] ?? {};
    run.writeSummary({ experiment: exp.name, runDir: run.dir, epochs: fit.history.length, samplesPerSecond: fit.samplesPerSecond, ...last, history: fit.history, testSet: 'not evaluated (study run)' });
    run.setStatus('completed');
    return { run, fit, last };
  } catch (e) {
    run.setStatus('failed', (e as Error).message);
    throw e;
  } finally {
    run.close();
  }
}
