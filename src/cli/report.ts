import { confusionMatrix } from '../stats/confusion-matrix.js';
import { perClassMetrics, type ClassificationReport } from '../stats/class-metrics.js';
import { formatTable } from './table.js';

/** Confusion matrix (rows: true class, columns: predicted) and per-class precision/recall/F1 as text and data. */
export function classificationReport(predictions: ArrayLike<number>, targets: ArrayLike<number>): { matrix: number[][]; metrics: ClassificationReport; text: string } {
  let classes = 0;
  for (let i = 0; i < targets.length; i++) classes = Math.max(classes, targets[i] + 1, predictions[i] + 1);
  const matrix = confusionMatrix(predictions, targets, classes);
  const metrics = perClassMetrics(matrix);
  const f = (v: number) => v.toFixed(4);
  const perClass = formatTable(
    [...metrics.perClass.map((m, c) => [String(c), f(m.precision), f(m.recall), f(m.f1), m.support]),
      ['macro', f(metrics.macro.precision), f(metrics.macro.recall), f(metrics.macro.f1), metrics.macro.support],
      ['weighted', f(metrics.weighted.precision), f(metrics.weighted.recall), f(metrics.weighted.f1), metrics.weighted.support]],
    ['class', 'precision', 'recall', 'f1', 'support'],
  );
  const confusion = formatTable(matrix.map((row, c) => [`true ${c}`, ...row]), ['', ...matrix.map((_, c) => `pred ${c}`)]);
  return { matrix, metrics, text: `${perClass}\n\nconfusion matrix (rows: true class, columns: predicted)\n${confusion}` };
}
