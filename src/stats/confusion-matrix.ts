// The confusion matrix of a classifier's predictions.

import { checkInteger, fail } from './validate.js';

/**
 * Confusion matrix: m[t][p] counts test items of true class t predicted as class p
 * (rows = true class, columns = predicted class, as in scikit-learn's confusion_matrix).
 * Labels must be integers in [0, numClasses).
 * @example confusionMatrix([0, 0, 2, 2, 0, 2], [2, 0, 2, 2, 0, 1], 3) // [[2, 0, 0], [0, 0, 1], [1, 0, 2]]
 */
export function confusionMatrix(
  predictions: ArrayLike<number>,
  targets: ArrayLike<number>,
  numClasses: number,
): number[][] {
  const fn = 'confusionMatrix';
  if (predictions === null || typeof predictions !== 'object' || typeof predictions.length !== 'number') {
    fail(fn, 'predictions', 'an array of class indices', predictions);
  }
  if (targets === null || typeof targets !== 'object' || typeof targets.length !== 'number') {
    fail(fn, 'targets', 'an array of class indices', targets);
  }
  checkInteger(fn, 'numClasses', numClasses, 1);
  if (predictions.length !== targets.length) {
    throw new Error(`${fn}: predictions and targets must have the same length, got ${predictions.length} and ${targets.length}`);
  }
  const m: number[][] = Array.from({ length: numClasses }, () => new Array<number>(numClasses).fill(0));
  for (let i = 0; i < targets.length; i++) {
    const t = targets[i];
    const p = predictions[i];
    if (!Number.isInteger(t) || t < 0 || t >= numClasses) fail(fn, `targets[${i}]`, `an integer in [0, ${numClasses - 1}]`, t);
    if (!Number.isInteger(p) || p < 0 || p >= numClasses) fail(fn, `predictions[${i}]`, `an integer in [0, ${numClasses - 1}]`, p);
    m[t][p]++;
  }
  return m;
}
