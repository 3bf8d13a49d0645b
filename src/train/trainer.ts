import { join, dirname } from 'node:path';
import type { Module } from '../nn/module.js';
import type { Optimizer, Hyper } from '../optim/optimizer.js';
import { LRScheduler, ReduceLROnPlateau } from '../optim/schedules.js';
import { clipGradNorm, gradNorm } from '../optim/clip.js';
import { defaultGenerator } from '../tensor/random.js';
import { DataLoader, type BatchTransform } from '../data/loader.js';
import type { TensorDataset } from '../data/dataset.js';
import type { Run } from '../track/run-store.js';
import { evaluate, type Evaluation, type LossFn } from './evaluate.js';
import { modeFor, type Callback, type EpochContext, type Mode } from './callbacks.js';
import { saveCheckpoint, loadCheckpoint, stepCheckpointName, KEEP_STEP_CHECKPOINTS, type LoadedCheckpoint, type TrainerState } from './checkpoint.js';
import { testOnce, weightsFileOf, type TestResult } from './test-once.js';
import { wilsonInterval } from '../stats/binomial-interval.js';

export interface TrainerOptions {
  model: Module;
  optimizer: Optimizer<Hyper>;
  loss: LossFn;
  /** Step the scheduler after every optimizer step ('step') or every epoch ('epoch', default). */
  scheduler?: LRScheduler | ReduceLROnPlateau;
  schedulerInterval?: 'epoch' | 'step';
  /** The metric ReduceLROnPlateau watches (default val_loss). */
  plateauMonitor?: string;
  /** Rescale gradients so their global norm is at most this. */
  clipGradNorm?: number;
  /** Sum gradients over this many batches before each optimizer step. */
  accumulateSteps?: number;
  callbacks?: Callback[];
  /** Where metrics and checkpoints go; without it nothing is written. */
  run?: Run;
  /** The metric that picks the best checkpoint (default val_loss). */
  checkpointMonitor?: string;
  /** Called once per batch with live numbers (the CLI draws a progress bar from it). */
  onBatch?: (info: BatchInfo) => void;
  /** Called with each epoch's summary line. */
  print?: (line: string) => void;
  evalBatchSize?: number;
  /**
   * Also checkpoint mid-epoch: every `steps` optimizer steps (at step multiples of it, so a
   * resumed run checkpoints where the uninterrupted one did) or every `ms` milliseconds.
   */
  checkpointEvery?: { steps: number } | { ms: number };
  /** How many mid-epoch checkpoints to keep (default 2; the last and best checkpoints are kept anyway). */
  keepStepCheckpoints?: number;
  /** fitAsync yields to the event loop after a batch once this long has passed since the last yield (default 20 ms). */
  yieldEveryMs?: number;
  /** Called by fitAsync after each yield to the event loop (the CLI refreshes the heartbeat here). */
  onYield?: () => void;
}

export interface BatchInfo {
  epoch: number;
  epochs: number;
  batch: number;
  batches: number;
  loss: number;
  samplesPerSecond: number;
}

export interface FitData {
  train: TensorDataset;
  val: TensorDataset;
  /** Augmentation applied to training batches only. */
  trainTransform?: BatchTransform;
}

export interface FitOptions {
  epochs: number;
  batchSize: number;
  /** Seeds the shuffling order (per epoch) of the training loader. */
  seed: number;
  /** Continue from this checkpoint: weights, optimizer, RNG, scheduler and callback state. */
  resume?: LoadedCheckpoint;
}

export interface FitResult {
  history: Array<Record<string, number>>;
  epochsRun: number;
  /** Training throughput over all epochs, excluding evaluation passes. */
  samplesPerSecond: number;
  stoppedEarly: boolean;
  stopReason?: string;
  best: { epoch: number; metric: string; value: number } | null;
  step: number;
  /** Stopped by requestStop(): a checkpoint of the stopping point was written (with a run store). */
  interrupted: boolean;
}

/**
 * The training loop: per-batch records (loss, lr, global gradient norm, samples/s), a full pass
 * over the training and validation sets after every epoch, checkpoints (last and best), callbacks,
 * gradient clipping and accumulation. Deterministic given the seed, and a resumed run reproduces
 * the uninterrupted one exactly: batch order depends only on (seed, epoch) and the RNG state is
 * checkpointed.
 */
export class Trainer {
  private stopRequested = false;

  constructor(readonly o: TrainerOptions) {
    if (o.accumulateSteps !== undefined && (!Number.isInteger(o.accumulateSteps) || o.accumulateSteps < 1)) {
      throw new RangeError(`Trainer: accumulateSteps must be a positive integer, got ${o.accumulateSteps}`);
    }
    if (o.clipGradNorm !== undefined && !(o.clipGradNorm > 0)) throw new RangeError(`Trainer: clipGradNorm must be positive, got ${o.clipGradNorm}`);
  }

  evaluate(ds: TensorDataset, opts: { keepPredictions?: boolean } = {}): Evaluation {
    return evaluate(this.o.model, this.o.loss, ds, { batchSize: this.o.evalBatchSize, ...opts });
  }

  /**
   * Evaluates the sealed test set once with the best checkpoint (or the last), and records the
   * evaluation in the test ledger beside the run directories. Needs the run store.
   */
  test(test: TensorDataset, o: { experiment: string; checkpoint?: 'best' | 'last'; ledgerPath?: string }): TestResult & { epoch: number } {
    const run = this.o.run;
    if (!run) throw new Error('trainer.test(): the trainer has no run store; pass { run } so the tested checkpoint and the ledger entry can be identified');
    const ckpt = loadCheckpoint(run.checkpointsDir, o.checkpoint ?? 'best');
    this.o.model.loadStateDict(ckpt.model);
    const result = testOnce({
      model: this.o.model, loss: this.o.loss, test, experiment: o.experiment, runId: run.info.id,
      weightsFile: weightsFileOf(ckpt.dir), ledgerPath: o.ledgerPath ?? join(dirname(run.dir), 'test-ledger.jsonl'),
    });
    return { ...result, epoch: ckpt.trainer.epoch };
  }

  /**
   * Asks fit/fitAsync to stop at the next optimizer-step boundary: the current step finishes,
   * a checkpoint of that point is written, and the result says `interrupted`. Safe to call from
   * a signal handler while fitAsync runs.
   */
  requestStop(): void {
    this.stopRequested = true;
  }

  /** Trains synchronously (nothing else runs on the event loop until it returns). */
  fit(data: FitData, f: FitOptions): FitResult {
    const steps = this.batches(data, f);
    for (;;) {
      const r = steps.next();
      if (r.done) return r.value;
    }
  }

  /**
   * Trains like fit, but yields to the event loop every `yieldEveryMs` (default 20 ms), so
   * timers (the heartbeat) and signal handlers (a graceful Ctrl-C via requestStop) get to run.
   * The numbers are the same as fit's.
   */
  async fitAsync(data: FitData, f: FitOptions): Promise<FitResult> {
    const every = this.o.yieldEveryMs ?? 20;
    const steps = this.batches(data, f);
    let last = performance.now();
    for (;;) {
      const r = steps.next();
      if (r.done) return r.value;
      if (performance.now() - last >= every) {
        await new Promise<void>((resolve) => setImmediate(resolve));
        this.o.onYield?.();
        last = performance.now();
      }
    }
  }

  /** The training loop, one batch per iteration: fit and fitAsync only differ in how they drive it. */
  private *batches(data: FitData, f: FitOptions): Generator<void, FitResult, void> {
    const { model, optimizer, run } = this.o;
    if (!Number.isInteger(f.epochs) || f.epochs < 1) throw new RangeError(`fit: epochs must be a positive integer, got ${f.epochs}`);
    const loader = new DataLoader(data.train, { batchSize: f.batchSize, shuffle: true, seed: f.seed, transform: data.trainTransform });
    const accumulate = this.o.accumulateSteps ?? 1;
    const callbacks = this.o.callbacks ?? [];
    const monitor = this.o.checkpointMonitor ?? 'val_loss';
    const monitorMode: Mode = modeFor(monitor);
    const params = model.parameters();
    let history: Array<Record<string, number>> = [];
    let startEpoch = 1, step = 0;
    let best: FitResult['best'] = null;
    let resumeAt: TrainerState['inEpoch'] | undefined;
    this.stopRequested = false;

    if (f.resume) {
      const r = f.resume;
      model.loadStateDict(r.model);
      optimizer.loadStateDict(r.optimizer);
      defaultGenerator.setState(r.trainer.rng);
      if (r.trainer.scheduler && this.o.scheduler) this.o.scheduler.loadStateDict(r.trainer.scheduler as never);
      for (const cb of callbacks) if (cb.load && r.trainer.callbacks?.[cb.name] !== undefined) cb.load(r.trainer.callbacks[cb.name]);
      history = r.trainer.history;
      best = (r.trainer.best as FitResult['best']) ?? null;
      startEpoch = r.trainer.epoch + 1;
      step = r.trainer.step;
      resumeAt = r.trainer.inEpoch;
    }

    const ckptEvery = this.o.checkpointEvery;
    let lastCheckpointAt = performance.now();
    const trainerState = (epoch: number, inEpoch?: TrainerState['inEpoch']): TrainerState => ({
      epoch, step, rng: defaultGenerator.getState(), history, best, inEpoch,
      scheduler: this.o.scheduler?.stateDict(),
      callbacks: Object.fromEntries(callbacks.filter((c) => c.state).map((c) => [c.name, c.state!()])),
    });
    let trainSeconds = 0, trainSamples = 0;
    let stop: EpochContext | null = null;
    let epochsRun = 0;
    const result = (interrupted: boolean): FitResult => ({
      history, epochsRun, step,
      samplesPerSecond: trainSeconds > 0 ? trainSamples / trainSeconds : 0,
      stoppedEarly: stop !== null, stopReason: stop?.stopReason, best, interrupted,
    });
    for (let epoch = startEpoch; epoch <= f.epochs; epoch++) {
      model.train();
      loader.setEpoch(epoch);
      // A run resumed mid-epoch starts at the batch after its checkpoint, with the epoch's counts so far.
      const skip = resumeAt?.epoch === epoch ? resumeAt.batch : 0;
      const t0 = performance.now() - (skip ? resumeAt!.seconds * 1000 : 0);
      let seen = skip ? resumeAt!.seen : 0, batch = skip;
      resumeAt = undefined;
      optimizer.zeroGrad();
      for (const { x, y } of loader.batchesFrom(skip)) {
        const tb = performance.now();
        const out = model.call(x);
        const lossT = this.o.loss(out, y);
        const lossV = lossT.item();
        if (!Number.isFinite(lossV)) {
          throw new Error(
            `training diverged: the loss is ${lossV} at epoch ${epoch}, batch ${batch + 1}. ` +
            'Lower the learning rate, clip gradients (--set clipGradNorm=1), or rerun with --detect-anomaly to find the op that made the first NaN.',
          );
        }
        (accumulate > 1 ? lossT.div(accumulate) : lossT).backward();
        batch++;
        seen += y.shape[0];
        const lastOfEpoch = batch === loader.length;
        if (batch % accumulate === 0 || lastOfEpoch) {
          for (const cb of callbacks) cb.onTrainStep?.({ step: step + 1, epoch, x, y, model, loss: this.o.loss, lr: optimizer.lr, log: (name, value) => run?.log({ step: step + 1, epoch, split: 'train', name, value }) });
          const norm = this.o.clipGradNorm ? clipGradNorm(params, this.o.clipGradNorm) : gradNorm(params);
          const lr = optimizer.lr;
          optimizer.step();
          optimizer.zeroGrad();
          step++;
          if (run) {
            run.log({ step, epoch, split: 'train', name: 'lr', value: lr });
            run.log({ step, epoch, split: 'train', name: 'grad_norm', value: norm });
          }
          if (this.o.scheduler instanceof LRScheduler && this.o.schedulerInterval === 'step') this.o.scheduler.step();
          const due = ckptEvery && ('steps' in ckptEvery ? step % ckptEvery.steps === 0 : performance.now() - lastCheckpointAt >= ckptEvery.ms);
          // The epoch's own checkpoint follows its last batch, so a mid-epoch one there would be redundant.
          if (run && !lastOfEpoch && (due || this.stopRequested)) {
            const inEpoch = { epoch, batch, seen, seconds: (performance.now() - t0) / 1000 };
            saveCheckpoint(run.checkpointsDir, stepCheckpointName(step), model, optimizer, trainerState(epoch - 1, inEpoch), ['last'],
              this.o.keepStepCheckpoints ?? KEEP_STEP_CHECKPOINTS);
            lastCheckpointAt = performance.now();
          }
          if (this.stopRequested && !lastOfEpoch) {
            trainSeconds += (performance.now() - t0) / 1000;
            trainSamples += seen;
            return result(true);
          }
        }
        const batchSps = (y.shape[0] * 1000) / Math.max(performance.now() - tb, 1e-3);
        if (run) {
          run.log({ step, epoch, split: 'train', name: 'batch_loss', value: lossV });
          run.log({ step, epoch, split: 'train', name: 'samples_per_second', value: batchSps });
        }
        this.o.onBatch?.({ epoch, epochs: f.epochs, batch, batches: loader.length, loss: lossV, samplesPerSecond: (seen * 1000) / (performance.now() - t0) });
        yield;
      }
      const epochSeconds = (performance.now() - t0) / 1000;
      trainSeconds += epochSeconds;
      trainSamples += seen;

      const tr = this.evaluate(data.train);
      const va = this.evaluate(data.val);
      const metrics: Record<string, number> = { epoch, train_loss: tr.loss, val_loss: va.loss, samples_per_second: seen / epochSeconds, epoch_seconds: epochSeconds };
      if (tr.accuracy !== undefined && va.accuracy !== undefined) {
        metrics.train_accuracy = tr.accuracy;
        metrics.val_accuracy = va.accuracy;
        metrics.train_accuracy_n = tr.total;
        metrics.val_accuracy_n = va.total;
        metrics.generalization_gap = tr.accuracy - va.accuracy;
      }
      history.push(metrics);
      if (run) for (const [k, v] of Object.entries(metrics)) if (k !== 'epoch' && !k.endsWith('_n')) run.log({ step, epoch, split: k.startsWith('val') ? 'val' : 'train', name: k, value: v });

      const sched = this.o.scheduler;
      if (sched instanceof ReduceLROnPlateau) sched.step(metrics[this.o.plateauMonitor ?? 'val_loss']);
      else if (sched && this.o.schedulerInterval !== 'step') sched.step();

      const ctx: EpochContext = { epoch, metrics, stop: false };
      for (const cb of callbacks) cb.onEpochEnd?.(ctx);
      const value = metrics[monitor];
      const isBest = value !== undefined && (best === null || (monitorMode === 'min' ? value < best.value : value > best.value));
      if (isBest) best = { epoch, metric: monitor, value };
      this.o.print?.(formatEpoch(epoch, f.epochs, metrics));

      if (run) {
        saveCheckpoint(run.checkpointsDir, `epoch-${String(epoch).padStart(4, '0')}`, model, optimizer, trainerState(epoch), isBest ? ['last', 'best'] : ['last'],
          this.o.keepStepCheckpoints ?? KEEP_STEP_CHECKPOINTS);
        lastCheckpointAt = performance.now();
      }
      epochsRun++;
      if (ctx.stop) { stop = ctx; break; }
      if (this.stopRequested && epoch < f.epochs) return result(true);
    }
    return result(false);
  }
}

/** Accuracy with its 95% Wilson interval: every accuracy we print carries one. */
export function formatAccuracy(acc: number, n: number): string {
  const ci = wilsonInterval(Math.round(acc * n), n, 0.95);
  return `${acc.toFixed(4)} [${ci.lo.toFixed(4)}, ${ci.hi.toFixed(4)}]`;
}

export function formatEpoch(epoch: number, epochs: number, m: Record<string, number>): string {
  const acc = (k: string) => (m[k] !== undefined ? ` acc ${m[`${k}_n`] ? formatAccuracy(m[k], m[`${k}_n`]) : m[k].toFixed(4)}` : '');
  const gap = m.generalization_gap !== undefined ? ` | gap ${(m.generalization_gap >= 0 ? '+' : '') + m.generalization_gap.toFixed(4)}` : '';
  return `epoch ${epoch}/${epochs}  train loss ${m.train_loss.toFixed(4)}${acc('train_accuracy')} | val loss ${m.val_loss.toFixed(4)}${acc('val_accuracy')}` +
    `${gap} | ${m.epoch_seconds.toFixed(1)}s ${Math.round(m.samples_per_second)} samples/s`;
}
