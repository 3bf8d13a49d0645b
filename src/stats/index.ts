// stats/: confidence intervals, test-size planning and model comparison. Pure TypeScript with no
// Node imports, so it bundles for a browser.

export {
  wilsonInterval, clopperPearsonInterval, normalInterval, binomialInterval,
  type BinomialInterval, type BinomialIntervalOptions, type BinomialMethod,
} from './binomial-interval.js';
export { bootstrapInterval, type BootstrapInterval, type BootstrapOptions, type BootstrapMethod } from './bootstrap.js';
export { testSizeForWidth, intervalWidthTable, type TestSizeOptions, type IntervalWidthRow } from './test-size.js';
export { mcnemarExact, mcnemarFromCounts, type McNemarResult } from './mcnemar.js';
export { compareOverSeeds, type CompareOverSeedsOptions, type SeedComparison } from './compare-seeds.js';
export { confusionMatrix } from './confusion-matrix.js';
export { perClassMetrics, type ClassMetrics, type ClassificationReport } from './class-metrics.js';
export { SeededRandom } from './random.js';
// Distribution functions the above are built on, exported for reuse and checking.
export { normalCdf, normalQuantile, erfc } from './normal.js';
export { studentTCdf, studentTQuantile, studentTTwoSidedP } from './student-t.js';
export { regularizedBeta, inverseRegularizedBeta, logBeta } from './beta.js';
export { logGamma, regularizedGammaP, regularizedGammaQ } from './gamma.js';
export { binomialPmf, binomialCdf } from './binomial.js';
