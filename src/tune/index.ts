// Hyperparameter search: spaces and samplers (the study store, pruners and workers add theirs here).
export * from './types.js';
export {
  float, int, categorical, fixed, when, validateSpace, parseSpaceJson, checkParam, resolveActive, activeNames,
  orderParams, SearchSpaceError,
} from './space.js';
export { cubeDims, fromUnit, toUnit, paramsFromUnit, paramsToUnit, levelCount } from './space-cube.js';
export * from './samplers/index.js';
export { sampleLoop } from './sample-loop.js';
