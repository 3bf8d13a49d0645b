import type { HParamValue } from '../experiments/define.js';
import type { Direction, ParamSpec, SearchSpace } from './types.js';
import { cubeDims, fromUnit, toUnit } from './space-cube.js';

/**
 * A parallel-coordinates plot of a study as SVG text (no dependencies, so the dashboard can draw
 * it in the browser and a file opens anywhere). One vertical axis per searched parameter, placed
 * by space-cube's unit mapping (log parameters on a log axis, ints and categoricals at their
 * evenly spaced bin centres), and a last axis for the objective (linear, best at the top). One
 * polyline per trial, coloured from dark purple (worst) to yellow (best) and drawn worst first so
 * the best trials lie on top. A trial without a conditional parameter skips that axis.
 */

export interface ParallelTrial {
  trial: number;
  params: Record<string, unknown>;
  value: number;
}

export interface ParallelOptions {
  metric: string;
  direction: Direction;
  width?: number;
  height?: number;
}

const T = 40, B = 30, L = 50, R = 60;
const STOPS: Array<[number, number, number]> = [[68, 1, 84], [59, 82, 139], [33, 145, 140], [94, 201, 98], [253, 231, 37]];

function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** Viridis-like colour of t in [0, 1] (1 = best). */
export function objectiveColor(t: number): string {
  const x = Math.min(1, Math.max(0, t)) * (STOPS.length - 1);
  const i = Math.min(STOPS.length - 2, Math.floor(x));
  const f = x - i;
  const c = STOPS[i].map((a, k) => Math.round(a + (STOPS[i + 1][k] - a) * f));
  return `rgb(${c[0]},${c[1]},${c[2]})`;
}

function label(v: HParamValue | number): string {
  if (typeof v !== 'number') return String(v);
  if (Number.isInteger(v)) return String(v);
  const a = Math.abs(v);
  return a !== 0 && (a < 1e-3 || a >= 1e5) ? v.toExponential(1) : String(+v.toPrecision(3));
}

/** Tick positions (unit) and labels of one parameter axis. */
function paramTicks(spec: ParamSpec): Array<[number, string]> {
  if (spec.type === 'categorical') return spec.choices.map((c, k) => [(k + 0.5) / spec.choices.length, String(c)]);
  const out = new Map<string, number>();
  for (const u of [0, 0.25, 0.5, 0.75, 1]) {
    const v = fromUnit(spec, u);
    const s = label(v);
    if (!out.has(s)) out.set(s, toUnit(spec, v));
  }
  return [...out].map(([s, u]) => [u, s]);
}

function unitOf(spec: ParamSpec, v: unknown): number | null {
  try {
    const u = toUnit(spec, v as HParamValue);
    return Number.isFinite(u) ? Math.min(1, Math.max(0, u)) : null;
  } catch {
    return null; // a value outside the space (the space changed under the study): leave that axis out
  }
}

/** The plot as SVG text; trials with a non-finite value are left out. */
export function parallelCoordinatesSvg(space: SearchSpace, trials: readonly ParallelTrial[], o: ParallelOptions): string {
  const params = cubeDims(space);
  const axes = params.length + 1;
  const width = o.width ?? Math.max(480, L + R + 130 * (axes - 1));
  const height = o.height ?? 340;
  const ax = (i: number): number => (axes === 1 ? width / 2 : L + (i * (width - L - R)) / (axes - 1));
  const ay = (u: number): number => height - B - u * (height - T - B);
  const done = trials.filter((t) => Number.isFinite(t.value));
  const values = done.map((t) => t.value);
  const lo = Math.min(...values), hi = Math.max(...values);
  // Objective unit: 1 = best (top of the axis), whatever the direction.
  const goodness = (v: number): number => (hi > lo ? (o.direction === 'maximize' ? (v - lo) / (hi - lo) : (hi - v) / (hi - lo)) : 0.5);
  const parts: string[] = [];
  parts.push(`<svg xmlns="http://www.w3.org/2000/svg" class="parallel-coords" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="11">`);
  parts.push(`<rect width="100%" height="100%" fill="white"/>`);
  parts.push(`<text x="${width / 2}" y="14" text-anchor="middle" font-size="13">parallel coordinates: ${done.length} completed trials, colour = ${esc(o.metric)} (yellow best)</text>`);
  const ordered = [...done].sort((a, b) => goodness(a.value) - goodness(b.value));
  for (const t of ordered) {
    const pts: string[] = [];
    params.forEach((p, i) => {
      if (!(p in t.params)) return;
      const u = unitOf(space[p], t.params[p]);
      if (u !== null) pts.push(`${ax(i).toFixed(1)},${ay(u).toFixed(1)}`);
    });
    pts.push(`${ax(params.length).toFixed(1)},${ay(goodness(t.value)).toFixed(1)}`);
    parts.push(`<polyline data-trial="${t.trial}" points="${pts.join(' ')}" fill="none" stroke="${objectiveColor(goodness(t.value))}" stroke-width="1.5" stroke-opacity="0.8"><title>trial ${t.trial}: ${esc(o.metric)} ${label(t.value)}</title></polyline>`);
  }
  const axis = (i: number, name: string, title: string, ticks: Array<[number, string]>): void => {
    const x = ax(i);
    parts.push(`<g class="axis" data-param="${esc(name)}"><line x1="${x}" y1="${ay(0)}" x2="${x}" y2="${ay(1)}" stroke="#333"/>`);
    parts.push(`<text x="${x}" y="${T - 10}" text-anchor="middle" font-weight="bold">${esc(title)}</text>`);
    for (const [u, s] of ticks) {
      parts.push(`<line x1="${x - 3}" y1="${ay(u).toFixed(1)}" x2="${x + 3}" y2="${ay(u).toFixed(1)}" stroke="#333"/>` +
        `<text x="${x + 5}" y="${(ay(u) + 4).toFixed(1)}" paint-order="stroke" stroke="white" stroke-width="3">${esc(s)}</text>`);
    }
    parts.push('</g>');
  };
  params.forEach((p, i) => axis(i, p, space[p].type === 'float' || space[p].type === 'int' ? `${p}${(space[p] as { log?: boolean }).log ? ' (log)' : ''}` : p, paramTicks(space[p])));
  const objTicks: Array<[number, string]> = done.length === 0 ? [] : hi > lo
    ? [0, 0.25, 0.5, 0.75, 1].map((u) => [u, label(o.direction === 'maximize' ? lo + u * (hi - lo) : hi - u * (hi - lo))])
    : [[0.5, label(lo)]];
  axis(params.length, o.metric, o.metric, objTicks);
  parts.push('</svg>');
  return parts.join('\n') + '\n';
}
