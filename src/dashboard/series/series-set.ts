// A run's metrics as columns, one series per (split, name), appended as metrics.jsonl grows.
// Columns are typed arrays that grow by doubling, so 100,000 records cost ~3 MB, not 100,000 objects.

import type { MetricRecord } from '../../track/run-types.js';

export type MetricRecordLike = MetricRecord;

/** One metric's columns; the first `length` entries are valid, in step order. */
export class Series {
  length = 0;
  steps = new Float64Array(16);
  epochs = new Float64Array(16);
  times = new Float64Array(16);
  values = new Float64Array(16);
  min = Infinity;
  max = -Infinity;

  constructor(readonly split: string, readonly name: string) {}

  /**
   * Appends a record. A step at or before the last one is a resumed run logging that step again:
   * as in Run.metrics(), the later record replaces the earlier ones from that step on.
   */
  push(r: MetricRecordLike): void {
    if (this.length > 0 && r.step <= this.steps[this.length - 1]) {
      let i = this.length;
      while (i > 0 && this.steps[i - 1] >= r.step) i--;
      this.length = i;
      this.recomputeRange();
    }
    if (this.length === this.steps.length) this.grow();
    const i = this.length++;
    this.steps[i] = r.step;
    this.epochs[i] = r.epoch;
    this.times[i] = r.time;
    this.values[i] = r.value;
    if (r.value < this.min) this.min = r.value;
    if (r.value > this.max) this.max = r.value;
  }

  get last(): number {
    return this.length ? this.values[this.length - 1] : NaN;
  }

  private grow(): void {
    const cap = this.steps.length * 2;
    for (const k of ['steps', 'epochs', 'times', 'values'] as const) {
      const next = new Float64Array(cap);
      next.set(this[k]);
      this[k] = next;
    }
  }

  private recomputeRange(): void {
    this.min = Infinity;
    this.max = -Infinity;
    for (let i = 0; i < this.length; i++) {
      this.min = Math.min(this.min, this.values[i]);
      this.max = Math.max(this.max, this.values[i]);
    }
  }

  /** The valid part of a column (a view, no copy). */
  column(k: 'steps' | 'epochs' | 'times' | 'values'): Float64Array {
    return this[k].subarray(0, this.length);
  }
}

/** Every series of one run, keyed `split/name`. */
export class SeriesSet {
  readonly series = new Map<string, Series>();
  records = 0;
  /** The earliest record time (seconds): the origin of the wall-time axis. */
  startTime = Infinity;

  add(r: MetricRecordLike): void {
    const key = `${r.split}/${r.name}`;
    let s = this.series.get(key);
    if (!s) this.series.set(key, (s = new Series(r.split, r.name)));
    s.push(r);
    this.records++;
    if (r.time < this.startTime) this.startTime = r.time;
  }

  get(split: string, name: string): Series | undefined {
    return this.series.get(`${split}/${name}`);
  }

  /** Finds a series by `split/name` or by a name that only one split has. */
  find(metric: string): Series | undefined {
    const exact = this.series.get(metric);
    if (exact) return exact;
    const matches = [...this.series.values()].filter((s) => s.name === metric);
    return matches.length === 1 ? matches[0] : undefined;
  }

  keys(): string[] {
    return [...this.series.keys()].sort();
  }
}

/** Checks a parsed metrics line has the fields and types of a MetricRecord; returns why not, or null. */
export function metricRecordProblem(r: unknown): string | null {
  if (typeof r !== 'object' || r === null || Array.isArray(r)) return 'not a JSON object';
  const o = r as Record<string, unknown>;
  for (const k of ['step', 'epoch', 'value', 'time']) if (typeof o[k] !== 'number') return `'${k}' is not a number`;
  for (const k of ['split', 'name']) if (typeof o[k] !== 'string') return `'${k}' is not a string`;
  return null;
}
