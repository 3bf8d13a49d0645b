import type { LrFindResult } from './lr-find.js';
import { lineChart } from './svg-chart.js';

// Kept apart from lr-find.ts so the dashboard page can draw a stored curve without the training code.

/** The range-test curve as an SVG chart: raw and smoothed loss on a log lr axis, both suggestions marked. */
export function lrFindSvg(r: LrFindResult, title = 'LR range test'): string {
  const smoothed = r.curve.map((p) => [p.lr, p.smoothed] as const);
  const first = r.curve[0]?.smoothed ?? 1;
  const lo = Math.min(...r.curve.map((p) => p.smoothed));
  const markers = Object.values(r.suggestions).map((s) => ({ x: s.lr, label: `${s.rule}${s.rule === r.recommended ? ' (recommended)' : ''} ${s.lr.toExponential(1)}` }));
  return lineChart([
    { name: 'batch loss', points: r.curve.map((p) => [p.lr, p.loss] as const), faint: true },
    { name: 'smoothed loss', points: smoothed },
  ], {
    title, xLabel: 'learning rate (log scale)', yLabel: 'training loss', logX: true, markers,
    yRange: r.curve.length ? [Math.min(lo, ...r.curve.map((p) => p.loss)), Math.max(first, lo) * 1.6] : undefined,
  });
}
