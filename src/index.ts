/**
 * The package entry for Node: the core plus data, training, run tracking and statistics, with
 * the native backend selected at load time when it is available.
 */
import { selectBackend } from './backend/select.js';

await selectBackend();

export * from './core.js';
export * as data from './data/index.js';
export * as stats from './stats/index.js';
export * as diagnose from './diagnose/index.js';
export { Trainer, type TrainerOptions, type FitResult, type FitOptions, type FitData } from './train/trainer.js';
export { EarlyStopping, type Callback, type EpochContext } from './train/callbacks.js';
export { evaluate, type Evaluation } from './train/evaluate.js';
export { saveCheckpoint, loadCheckpoint } from './train/checkpoint.js';
export { defineExperiment, type Experiment, type HParams, type DataSplits } from './experiments/define.js';
export { builtinExperiments } from './experiments/registry.js';
export { Run, listRuns, type MetricRecord } from './track/run-store.js';
export { saveStateDict, loadStateDict } from './track/weights.js';
export * as prune from './prune/index.js';
export * as optimLab from './optim-lab/index.js';
export { iterativeMagnitudePruning, type ImpOptions, type ImpResult, type LotterySetup } from './prune/imp.js';
