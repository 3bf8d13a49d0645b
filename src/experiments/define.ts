import type { Module } from '../nn/module.js';
import type { Parameter } from '../tensor/tensor.js';
import type { Optimizer, Hyper } from '../optim/optimizer.js';
import type { LRScheduler, ReduceLROnPlateau } from '../optim/schedules.js';
import type { TensorDataset } from '../data/dataset.js';
import type { BatchTransform } from '../data/loader.js';
import type { LossFn } from '../train/evaluate.js';
import type { SearchSpace } from '../tune/types.js';

export type HParamValue = number | string | boolean;
export type HParams = Record<string, HParamValue>;

export interface DataSplits {
  train: TensorDataset;
  val: TensorDataset;
  test: TensorDataset;
  /** Augmentation for training batches only. */
  trainTransform?: BatchTransform;
  /** How the splits were made (indices, seeds), saved with the run. */
  split?: Record<string, unknown>;
}

export interface DataContext {
  /** --data-dir, when given. */
  dataDir?: string;
}

/**
 * One definition that every tool reads (train, test, doctor, audit, tune, ...). Conventional
 * hyperparameters the trainer understands: epochs, batchSize, lr, seed, clipGradNorm,
 * accumulateSteps, patience (early stopping on the monitored metric).
 */
export interface Experiment<H extends HParams = HParams> {
  name: string;
  description?: string;
  hparams: H;
  data: (hp: H, ctx: DataContext) => DataSplits;
  model: (hp: H) => Module;
  optimizer: (params: Parameter[], hp: H) => Optimizer<Hyper>;
  loss: LossFn;
  metrics?: Array<'accuracy'>;
  /** The validation metric for the best checkpoint and early stopping (default val_loss). */
  monitor?: string;
  /**
   * stepsPerEpoch counts optimizer steps (batches / accumulateSteps, rounded up). A schedule built
   * from hp.epochs spans the run's budget: `train --resume --epochs N` then needs --reschedule.
   */
  scheduler?: (optimizer: Optimizer<Hyper>, hp: H, stepsPerEpoch: number) => LRScheduler | ReduceLROnPlateau;
  schedulerInterval?: 'epoch' | 'step';
  /** What `tradecraft tune` searches by default (overridden by --space FILE). */
  search?: SearchSpace;
}

/** Checks an experiment definition and returns it (typed) for `export default`. */
export function defineExperiment<H extends HParams>(spec: Experiment<H>): Experiment<H> {
  const where = `defineExperiment(${spec?.name ?? '?'})`;
  if (!spec || typeof spec !== 'object') throw new TypeError('defineExperiment: expected an object with name, hparams, data, model, optimizer and loss');
  if (typeof spec.name !== 'string' || !/^[A-Za-z0-9_.-]+$/.test(spec.name)) throw new TypeError(`${where}: name must be a non-empty string of letters, digits, '-', '_' or '.'`);
  for (const k of ['data', 'model', 'optimizer', 'loss'] as const) {
    if (typeof spec[k] !== 'function') throw new TypeError(`${where}: '${k}' must be a function`);
  }
  if (!spec.hparams || typeof spec.hparams !== 'object') throw new TypeError(`${where}: hparams must be an object of numbers, strings or booleans`);
  for (const [k, v] of Object.entries(spec.hparams)) {
    if (!['number', 'string', 'boolean'].includes(typeof v)) throw new TypeError(`${where}: hparam '${k}' must be a number, string or boolean`);
  }
  return spec;
}
