// What a chart asks of a run's series: one metric on an x axis, smoothed on the full-resolution
// data, then cut to the requested x range and downsampled (min/max per bucket) to at most about
// `points` points. Shared by the run and compare pages, the static report and `tradecraft plot`.
import { ApiError } from '../page.js';
import { debiasedEma, percentile } from './smoothing.js';
import { minMaxIndices, pick, lowerBound, upperBound } from './downsample.js';
import { xColumn, X_AXES, type XAxis } from './x-axis.js';
import type { SeriesSet } from './series-set.js';

export interface SeriesQuery {
  metric: string;
  x: XAxis;
  /** Smoothing weight in [0, 1); 0 = none. */
  smooth: number;
  from?: number;
  to?: number;
  /** Most points returned per series (about). */
  points: number;
}

export interface SeriesResponse {
  metric: string;
  x: number[];
  raw: number[];
  /** Present when smooth > 0. */
  smoothed: number[] | null;
  /** Points of the full-resolution series inside the requested range. */
  inRange: number;
  /** True when every point in the range was sent. */
  fullResolution: boolean;
  /** x extent of the whole series. */
  extent: [number, number] | null;
  /** 5th and 95th percentiles of the raw values in the range (the "ignore outliers" y range). */
  p5: number;
  p95: number;
}

const num = (q: URLSearchParams, k: string): number | undefined => {
  const v = q.get(k);
  if (v === null || v === '') return undefined;
  const n = Number(v);
  if (!Number.isFinite(n)) throw new ApiError(400, `${k} must be a number, got '${v}'`);
  return n;
};

/** Reads and checks a SeriesQuery from URL parameters (400 on a bad value). */
export function parseSeriesQuery(q: URLSearchParams, defaultMetric = 'batch_loss'): SeriesQuery {
  const x = (q.get('x') ?? 'step') as XAxis;
  if (!X_AXES.includes(x)) throw new ApiError(400, `x must be one of ${X_AXES.join(', ')}, got '${x}'`);
  const smooth = num(q, 'smooth') ?? 0;
  if (!(smooth >= 0 && smooth < 1)) throw new ApiError(400, `smooth must be in [0, 1), got ${smooth}`);
  const points = num(q, 'points') ?? 1500;
  if (!(points >= 10 && points <= 100_000)) throw new ApiError(400, `points must be in [10, 100000], got ${points}`);
  const metric = q.get('metric') ?? defaultMetric;
  if (metric.length > 200) throw new ApiError(400, 'metric name too long');
  return { metric, x, smooth, from: num(q, 'from'), to: num(q, 'to'), points: Math.floor(points) };
}

/** The chart data for one metric of one run, or null if the run has no such metric. */
export function querySeries(set: SeriesSet, q: SeriesQuery): SeriesResponse | null {
  const s = set.find(q.metric);
  if (!s || s.length === 0) return null;
  const x = xColumn(s, q.x, set.startTime);
  const raw = s.column('values');
  const smoothed = q.smooth > 0 ? debiasedEma(raw, q.smooth) : null;
  const from = q.from ?? -Infinity, to = q.to ?? Infinity;
  const i0 = lowerBound(x, from), i1 = upperBound(x, to);
  const idx = minMaxIndices(x, smoothed ? [raw, smoothed] : [raw], from, to, q.points);
  const inRangeRaw = raw.subarray(i0, i1);
  return {
    metric: `${s.split}/${s.name}`,
    x: pick(x, idx),
    raw: pick(raw, idx),
    smoothed: smoothed ? pick(smoothed, idx) : null,
    inRange: i1 - i0,
    fullResolution: idx.length === i1 - i0,
    extent: [x[0], x[x.length - 1]],
    p5: percentile(inRangeRaw, 5),
    p95: percentile(inRangeRaw, 95),
  };
}
