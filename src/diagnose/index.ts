/**
 * `diagnose`: debugging aids that read a model, a batch and a few training steps, and the
 * doctor that runs them all on an experiment (`tradecraft doctor <experiment>`).
 */
export { gradientFlow, type GradientStatus, type ParameterGradient } from './gradient-flow.js';
export { deadUnits, isReluFamily, type DeadUnitLayer } from './dead-units.js';
export {
  activationStats, type ActivationStats, type ActivationStatsOptions, type LayerActivationStats, type DepthTrend,
} from './activation-stats.js';
export { memoryGrowth, type MemoryGrowth, type MemoryGrowthOptions, type MemorySample } from './memory.js';
export { nanTriage, type NanTriage } from './nan-triage.js';
export { collectBroadcastWarnings } from './broadcast-check.js';
export { overfitBatch, type OverfitResult, type OverfitOptions } from './overfit.js';
export { lrProbe, logSpacedLrs, setLearningRate, type LrProbeResult, type LrProbePoint, type LrProbeOptions } from './lr-probe.js';
export { dataSanity, type DataSanity, type SplitSummary, type DataProblem } from './data-sanity.js';
export {
  runDoctor, doctorHparams, DOCTOR_SUBSET, type DoctorCheck, type DoctorReport, type DoctorOptions, type CheckStatus,
} from './doctor.js';
export type { BatchLike } from './hooks.js';
export { auditSplits, type AuditReport, type AuditOptions } from './audit.js';
