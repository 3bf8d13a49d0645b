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
export * as tune from './tune/index.js';
export { Trainer, type TrainerOptions, type FitResult, type FitOptions, type FitData } from './train/trainer.js';
export { EarlyStopping, type Callback, type EpochContext } from './train/callbacks.js';
export { evaluate, type Evaluation } from './train/evaluate.js';
export { saveCheckpoint, loadCheckpoint } from './train/checkpoint.js';
export { defineExperiment, type Experiment, type HParams, type DataSplits } from './experiments/define.js';
export { builtinExperiments } from './experiments/registry.js';
export { Run, listRuns, type MetricRecord } from './track/run-store.js';
export { saveStateDict, loadStateDict } from './track/weights.js';
export { loadRunExperiment, experimentSource, type ExperimentSource, type RunExperiment } from './track/experiment-source.js';
export { listRunSummaries, describeRun, type RunListing } from './track/run-list.js';
export { Heartbeat } from './track/heartbeat.js';
export { lrFind, suggestLearningRates, lrFindSvg, type LrFindResult, type LrFindOptions, type LrFindTarget } from './tune/lr-find.js';
export { lrSweep, lrSweepTable, logRange, type LrSweepSpec, type LrSweepFile } from './tune/lr-sweep.js';
export { measureGradientNoise, twoBatchEstimates, NoiseScaleEma } from './tune/noise-scale.js';
export { NoiseScaleCallback } from './tune/noise-scale-callback.js';
export { estimateCriticalBatchSize, type CriticalBatchResult } from './tune/batch-size.js';
export { runAblation, ablationTable, ablationVariants, type AblationSpec, type AblationStudyFile } from './tune/ablation.js';
export { snapshotTraining } from './tune/state-snapshot.js';
export * as study from './tune/study/index.js';
export { exportOnnx, UnexportableError, type OnnxExportOptions } from './interop/onnx/index.js';
export { exportRunToTensorBoard, EventFileWriter, TensorBoardCallback } from './interop/tensorboard/index.js';
export * as prune from './prune/index.js';
export * as optimLab from './optim-lab/index.js';
export { iterativeMagnitudePruning, type ImpOptions, type ImpResult, type LotterySetup } from './prune/imp.js';

import { warmUpMatmulPath } from './warm-up.js';
warmUpMatmulPath();
