import { hostname } from 'node:os';
import { relative } from 'node:path';
import { manualSeed } from '../../tensor/random.js';
import { backend } from '../../backend/registry.js';
import { Trainer } from '../../train/trainer.js';
import { EarlyStopping, modeFor } from '../../train/callbacks.js';
import { loadCheckpoint } from '../../train/checkpoint.js';
import { Run } from '../../track/run-store.js';
import type { DataSplits, Experiment, HParams } from '../../experiments/define.js';
import type { Direction, SearchSpace } from '../types.js';
import type { Objective } from './study.js';
import { TrialPruned } from './errors.js';

export interface ExperimentObjectiveOptions {
  experiment: Experiment<HParams>;
  /** The experiment's hyperparameters with the user's fixed overrides; trial parameters go on top. */
  baseHparams: HParams;
  /** Where the trials' run directories go. */
  runsDir: string;
  dataDir?: string;
  study: string;
  /** Kept in each trial run (with the metric and direction) so the dashboard's study page can draw the study from the runs alone. */
  space?: SearchSpace;
  versions?: Record<string, string>;
  /** One line per finished epoch or trial. */
  print?: (line: string) => void;
}

/** The direction that the experiment's monitored validation metric is optimized in. */
export function experimentDirection(exp: Experiment<HParams>): { metric: string; direction: Direction } {
  const metric = exp.monitor ?? 'val_loss';
  return { metric, direction: modeFor(metric) === 'max' ? 'maximize' : 'minimize' };
}

/**
 * Loads the experiment's data once per distinct value of the hyperparameters the data function
 * actually reads (found by watching it through a Proxy), so trials that differ in lr or width
 * share one copy while a search over, say, valSize still gets the right data.
 */
function cachedData(exp: Experiment<HParams>, dataDir: string | undefined): (hp: HParams) => DataSplits {
  const cache = new Map<string, DataSplits>();
  let readKeys: string[] | null = null;
  return (hp) => {
    if (readKeys) {
      const key = JSON.stringify(readKeys.map((k) => hp[k]));
      const hit = cache.get(key);
      if (hit) return hit;
    }
    const seen = new Set<string>();
    const watched = new Proxy(hp, { get: (t, k) => { if (typeof k === 'string') seen.add(k); return t[k as string]; } });
    const data = exp.data(watched, { dataDir });
    readKeys = [...seen].sort();
    cache.clear();
    cache.set(JSON.stringify(readKeys.map((k) => hp[k])), data);
    return data;
  };
}

/**
 * The objective that trains one trial of an experiment as a real run in the run store: the
 * trial's parameters over the base hyperparameters, one epoch at a time (each epoch continues
 * from the last checkpoint, which the trainer resumes exactly), the monitored validation metric
 * reported after each epoch, and the pruner consulted. A pruned trial's run ends with status
 * 'pruned' and keeps its curves; the trial's value is the best validation value over its
 * epochs, the one whose checkpoint the run keeps as best. Selection never sees the test set.
 */
export function experimentObjective(o: ExperimentObjectiveOptions): Objective {
  const exp = o.experiment;
  const { metric, direction } = experimentDirection(exp);
  const data = cachedData(exp, o.dataDir);
  return async (trial) => {
    const hp: HParams = { ...o.baseHparams, ...trial.params };
    const seed = Number(hp.seed ?? 0);
    manualSeed(seed);
    const splits = data(hp);
    const run = Run.create(o.runsDir, {
      experiment: exp.name, hparams: hp, seed, backend: backend().describe(), versions: o.versions ?? {},
      extra: {
        study: o.study, trial: trial.number, metric, direction, ...(o.space ? { space: o.space } : {}),
        ...(trial.retryOf !== null ? { retryOf: trial.retryOf } : {}),
      },
    });
    run.info.pid = process.pid;
    run.info.host = hostname();
    run.info.heartbeatAt = new Date().toISOString();
    run.saveInfo();
    await trial.setAttrs({ runDir: relative(process.cwd(), run.dir) || '.', runId: run.info.id, valN: splits.val.length });
    const model = exp.model(hp);
    const optimizer = exp.optimizer(model.parameters(), hp);
    const batchSize = Number(hp.batchSize ?? 64);
    const epochs = Number(hp.epochs ?? 1);
    const scheduler = exp.scheduler?.(optimizer, hp, Math.ceil(splits.train.length / batchSize));
    const callbacks = typeof hp.patience === 'number' ? [new EarlyStopping(metric, hp.patience)] : [];
    let lastBeat = Date.now();
    const trainer = new Trainer({
      model, optimizer, loss: exp.loss, scheduler, schedulerInterval: exp.schedulerInterval, callbacks, run,
      checkpointMonitor: metric,
      clipGradNorm: typeof hp.clipGradNorm === 'number' && hp.clipGradNorm > 0 ? hp.clipGradNorm : undefined,
      accumulateSteps: typeof hp.accumulateSteps === 'number' ? hp.accumulateSteps : undefined,
      onBatch: () => {
        // The run's own liveness (what the dashboard reads), beside the study's heartbeat.
        if (Date.now() - lastBeat < 5000) return;
        lastBeat = Date.now();
        run.info.heartbeatAt = new Date().toISOString();
        run.saveInfo();
      },
    });
    let best: number | undefined;
    let history: Array<Record<string, number>> = [];
    try {
      for (let epoch = 1; epoch <= epochs; epoch++) {
        const resume = epoch > 1 ? loadCheckpoint(run.checkpointsDir, 'last') : undefined;
        const r = trainer.fit({ train: splits.train, val: splits.val, trainTransform: splits.trainTransform }, { epochs: epoch, batchSize, seed, resume });
        history = r.history;
        const value = r.history[r.history.length - 1]?.[metric];
        if (value === undefined) throw new Error(`the experiment does not log '${metric}' (its monitor); logged: ${Object.keys(r.history[0] ?? {}).join(', ')}`);
        best = r.best?.value ?? value;
        run.info.heartbeatAt = new Date().toISOString();
        run.saveInfo();
        await trial.report(epoch, value);
        o.print?.(`trial ${trial.number} epoch ${epoch}/${epochs}: ${metric} ${value.toFixed(4)}`);
        if (r.stoppedEarly) break;
        if (await trial.shouldPrune()) {
          run.writeSummary({ experiment: exp.name, study: o.study, trial: trial.number, pruned: true, prunedAtEpoch: epoch, metric, best, history });
          run.setStatus('pruned');
          throw new TrialPruned(`pruned after epoch ${epoch}: ${metric} ${value.toFixed(4)}`);
        }
      }
    } catch (e) {
      if (!(e instanceof TrialPruned)) run.setStatus('failed', (e as Error).message);
      run.close();
      throw e;
    }
    run.writeSummary({ experiment: exp.name, study: o.study, trial: trial.number, metric, best, history });
    run.setStatus('completed');
    run.close();
    return best!;
  };
}
