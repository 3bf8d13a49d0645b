/** The optimizer lab: curvature of the loss (HVP, sharpness, Lanczos, condition number) and Newton's method. */
export { hessianVectorProduct, topHessianEigenvalue, lanczos, exactHessian, symmetricEigenvalues, flatGradient, getFlat, setFlat, flatSize, type LossClosure, type PowerIterationResult, type LanczosResult } from './hessian.js';
export { newtonStep, solveLinear, type NewtonOptions } from './newton.js';
export { sharpnessTracker, SharpnessTracker, type SharpnessTrackerOptions, type SharpnessRecord } from './sharpness-tracker.js';
export { rangeTestLearningRates, type OptimizerLr } from './range-test-lr.js';
