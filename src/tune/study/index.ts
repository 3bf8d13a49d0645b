export { createStudy, loadStudy, Study, type CreateStudyOptions, type OptimizeOptions, type Objective } from './study.js';
export { Trial } from './trial.js';
export { TrialPruned } from './errors.js';
export { openStore, defaultStorage } from './open-store.js';
export { SCHEMA_VERSION, type StudyStore, type TrialRecord, type StudySummary } from './store.js';
export { experimentObjective } from './train-trial.js';
export { MedianPruner, PercentilePruner, AshaPruner, HyperbandPruner, createPruner } from '../pruners/index.js';
