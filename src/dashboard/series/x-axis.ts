// The x axis a chart is drawn against: optimizer step, epoch (fractional within an epoch for
// per-batch series, so batches spread across it) or wall time since the run's first record.
import type { Series } from './series-set.js';

export type XAxis = 'step' | 'epoch' | 'time';
export const X_AXES: readonly XAxis[] = ['step', 'epoch', 'time'];

/** The x value of every point of `s` on the given axis (ascending). */
export function xColumn(s: Series, axis: XAxis, startTime: number): Float64Array {
  if (axis === 'step') return s.column('steps');
  const out = new Float64Array(s.length);
  if (axis === 'time') {
    for (let i = 0; i < s.length; i++) out[i] = s.times[i] - startTime;
    return out;
  }
  // epoch e's k-th of m points sits at (e - 1) + (k + 1) / m: a per-epoch series lands on e itself.
  let i = 0;
  while (i < s.length) {
    let j = i;
    while (j < s.length && s.epochs[j] === s.epochs[i]) j++;
    const m = j - i;
    for (let k = 0; k < m; k++) out[i + k] = s.epochs[i] - 1 + (k + 1) / m;
    i = j;
  }
  return out;
}
