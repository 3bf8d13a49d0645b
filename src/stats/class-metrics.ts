// Per-class precision, recall and F1 from a confusion matrix, with macro and weighted averages.

import { fail } from './validate.js';

export interface ClassMetrics {
  precision: number;
  recall: number;
  f1: number;
  /** Number of test items whose true class is this one (for averages: all items). */
  support: number;
}

export interface ClassificationReport {
  /** perClass[c] for class c. */
  perClass: ClassMetrics[];
  /** Unweighted mean over all classes (every row of the matrix, including classes with no support). */
  macro: ClassMetrics;
  /** Mean over classes weighted by support. */
  weighted: ClassMetrics;
  /** Trace / total (0 for an empty matrix). */
  accuracy: number;
  /** Total number of items. */
  total: number;
}

function ratio(num: number, den: number): number {
  return den > 0 ? num / den : 0;
}

/**
 * Precision, recall, F1 and support for each class of a confusion matrix (rows = true class,
 * columns = predicted class), with macro and support-weighted averages and accuracy, as in
 * scikit-learn's classification_report. Zero-division convention (sklearn's zero_division=0):
 * the precision of a class that is never predicted is 0, the recall of a class with no support is 0,
 * and F1 is 0 when precision + recall = 0. F1 = 2PR / (P + R) (van Rijsbergen 1979).
 * @example perClassMetrics([[1, 0, 0], [1, 0, 0], [0, 1, 2]]).macro // { precision: 0.5, recall: 0.5556, f1: 0.4889, support: 5 } (rounded)
 */
export function perClassMetrics(counts: readonly (readonly number[])[]): ClassificationReport {
  const fn = 'perClassMetrics';
  const input: unknown = counts;
  if (!Array.isArray(input) || input.length === 0) fail(fn, 'matrix', 'a non-empty square array of counts', input);
  const k = input.length;
  const matrix: number[][] = (input as unknown[]).map((row, i) => {
    if (!Array.isArray(row) || row.length !== k) {
      fail(fn, `matrix[${i}]`, `a row of ${k} counts (the matrix must be square)`, row);
    }
    return (row as unknown[]).map((v, j) => {
      if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) fail(fn, `matrix[${i}][${j}]`, 'a finite count >= 0', v);
      return v;
    });
  });
  const rowSums = matrix.map((row) => row.reduce((s, v) => s + v, 0));
  const colSums = matrix[0].map((_, j) => matrix.reduce((s, row) => s + row[j], 0));
  const total = rowSums.reduce((s, v) => s + v, 0);
  let trace = 0;
  const perClass: ClassMetrics[] = [];
  for (let c = 0; c < k; c++) {
    const tp = matrix[c][c];
    trace += tp;
    const precision = ratio(tp, colSums[c]);
    const recall = ratio(tp, rowSums[c]);
    const f1 = ratio(2 * precision * recall, precision + recall);
    perClass.push({ precision, recall, f1, support: rowSums[c] });
  }
  const avg = (key: 'precision' | 'recall' | 'f1', weighted: boolean): number => {
    if (weighted) return ratio(perClass.reduce((s, m) => s + m[key] * m.support, 0), total);
    return perClass.reduce((s, m) => s + m[key], 0) / k;
  };
  return {
    perClass,
    macro: { precision: avg('precision', false), recall: avg('recall', false), f1: avg('f1', false), support: total },
    weighted: { precision: avg('precision', true), recall: avg('recall', true), f1: avg('f1', true), support: total },
    accuracy: ratio(trace, total),
    total,
  };
}
