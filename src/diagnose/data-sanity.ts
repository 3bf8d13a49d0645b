import type { Tensor } from '../tensor/tensor.js';
import type { TensorDataset } from '../data/dataset.js';

/**
 * Data sanity: the cheap look at the data that catches a surprising share of failed
 * experiments — NaN or Inf in the inputs, unnormalized values (raw 0-255 pixels), splits
 * normalized differently, and labels with a class missing from a split or badly imbalanced.
 */
export interface SplitSummary {
  name: string;
  size: number;
  /** Shape of one example. */
  inputShape: number[];
  /** Count of NaN/Inf input values, and the first example holding one (-1 if none). */
  nonFinite: number;
  firstBadExample: number;
  min: number;
  max: number;
  mean: number;
  std: number;
  /** For int32 class targets: examples per class index. */
  classCounts?: number[];
  /** For float targets: count of NaN/Inf values. */
  targetNonFinite?: number;
}

export interface DataProblem {
  severity: 'warn' | 'fail';
  /** Whether the problem is with the inputs (or a split as a whole) or with the targets. */
  about: 'inputs' | 'targets';
  message: string;
}

export interface DataSanity {
  splits: SplitSummary[];
  /** True when targets are int32 class indices. */
  classification: boolean;
  /** Largest class index + 1 over all splits (classification only). */
  numClasses: number;
  problems: DataProblem[];
}

function summarize(name: string, ds: TensorDataset): SplitSummary {
  const x = ds.x;
  const d = x.data;
  const per = ds.length > 0 ? x.size / ds.length : 0;
  let nonFinite = 0, firstBad = -1, min = Infinity, max = -Infinity, sum = 0, n = 0;
  for (let i = 0; i < d.length; i++) {
    const v = d[i];
    if (!Number.isFinite(v)) {
      if (firstBad < 0) firstBad = Math.floor(i / Math.max(per, 1));
      nonFinite++;
      continue;
    }
    if (v < min) min = v;
    if (v > max) max = v;
    sum += v;
    n++;
  }
  const mean = n ? sum / n : NaN;
  let ss = 0;
  for (let i = 0; i < d.length; i++) if (Number.isFinite(d[i])) ss += (d[i] - mean) ** 2;
  const s: SplitSummary = {
    name, size: ds.length, inputShape: [...x.shape.slice(1)], nonFinite, firstBadExample: firstBad,
    min: n ? min : NaN, max: n ? max : NaN, mean, std: n ? Math.sqrt(ss / n) : NaN,
  };
  const y: Tensor = ds.y;
  if (y.dtype === 'int32') {
    const counts: number[] = [];
    for (let i = 0; i < y.size; i++) {
      const c = y.data[i];
      if (c < 0) continue;
      while (counts.length <= c) counts.push(0);
      counts[c]++;
    }
    s.classCounts = counts;
  } else {
    let bad = 0;
    for (let i = 0; i < y.size; i++) if (!Number.isFinite(y.data[i])) bad++;
    s.targetNonFinite = bad;
  }
  return s;
}

/**
 * Summarizes each split (inputs: NaN/Inf count, min, max, mean, std; targets: class counts or
 * non-finite count) and lists problems: 'fail' for non-finite inputs or targets, negative
 * class labels, an empty training split or constant inputs; 'warn' for unnormalized-looking
 * values, a split whose mean is far from the training split's, classes missing from a split
 * and classes more than 10x rarer than the most common one in training.
 */
export function dataSanity(splits: Record<string, TensorDataset>): DataSanity {
  const names = Object.keys(splits);
  if (names.length === 0) throw new Error('dataSanity: no splits given');
  const summaries = names.map((n) => summarize(n, splits[n]));
  const problems: DataProblem[] = [];
  const classification = summaries.every((s) => s.classCounts !== undefined);
  const numClasses = classification ? Math.max(0, ...summaries.map((s) => s.classCounts!.length)) : 0;
  const train = summaries.find((s) => s.name === 'train') ?? summaries[0];

  for (const s of summaries) {
    const ds = splits[s.name];
    if (s.size === 0) {
      problems.push({ severity: s === train ? 'fail' : 'warn', about: 'inputs', message: `${s.name} is empty` });
      continue;
    }
    if (s.nonFinite > 0) {
      problems.push({ severity: 'fail', about: 'inputs', message: `${s.name} inputs hold ${s.nonFinite} NaN/Inf values (first in example ${s.firstBadExample})` });
    }
    if (s.targetNonFinite) problems.push({ severity: 'fail', about: 'targets', message: `${s.name} targets hold ${s.targetNonFinite} NaN/Inf values` });
    if (ds.y.dtype === 'int32') {
      let negative = 0;
      for (let i = 0; i < ds.y.size; i++) if (ds.y.data[i] < 0) negative++;
      if (negative) problems.push({ severity: 'fail', about: 'targets', message: `${s.name} has ${negative} negative class labels` });
    }
    if (s.min === s.max) problems.push({ severity: 'fail', about: 'inputs', message: `${s.name} inputs are constant (${s.min})` });
    else if (Math.abs(s.mean) > 10 || s.std > 10 || s.std < 1e-2) {
      problems.push({ severity: 'warn', about: 'inputs', message: `${s.name} inputs look unnormalized (mean ${fmt(s.mean)}, std ${fmt(s.std)}, range ${fmt(s.min)}..${fmt(s.max)})` });
    }
    if (s !== train && train.size > 0 && train.std > 0 && Math.abs(s.mean - train.mean) > 0.5 * train.std) {
      problems.push({ severity: 'warn', about: 'inputs', message: `${s.name} mean ${fmt(s.mean)} is far from train's ${fmt(train.mean)} (train std ${fmt(train.std)}): normalized differently?` });
    }
  }
  if (classification && train.classCounts) {
    const tc = train.classCounts;
    const present = tc.filter((c) => c > 0);
    for (const s of summaries) {
      if (s.size === 0) continue;
      const missing: number[] = [];
      for (let c = 0; c < numClasses; c++) if (!(s.classCounts![c] > 0)) missing.push(c);
      if (missing.length && missing.length < numClasses) {
        problems.push({ severity: 'warn', about: 'targets', message: `${s.name} has no examples of class${missing.length > 1 ? 'es' : ''} ${list(missing)}` });
      }
    }
    if (present.length > 1) {
      const most = Math.max(...present);
      const rare: number[] = [];
      tc.forEach((c, k) => { if (c > 0 && c * 10 < most) rare.push(k); });
      if (rare.length) problems.push({ severity: 'warn', about: 'targets', message: `train classes ${list(rare)} are more than 10x rarer than the most common (${most} examples)` });
    }
    if (present.length === 1) problems.push({ severity: 'fail', about: 'targets', message: `train has a single class (${tc.findIndex((c) => c > 0)})` });
  }
  return { splits: summaries, classification, numClasses, problems };
}

function list(xs: number[]): string {
  return xs.length > 8 ? `${xs.slice(0, 8).join(', ')}, ... (${xs.length})` : xs.join(', ');
}

function fmt(v: number): string {
  return Number.isFinite(v) ? String(Number(v.toPrecision(3))) : String(v);
}
