// Per-epoch metrics of a run (train/val loss and accuracy, the gap, epoch time), with a 95%
// Wilson interval on each accuracy: from summary.json when the run finished (it has the
// sample counts), else from the metric records as they are written.
import { wilsonInterval } from '../../stats/binomial-interval.js';
import type { RunView } from '../api-types.js';

export interface EpochRow {
  epoch: number;
  step: number | null;
  [metric: string]: number | null;
}

export interface AccuracyInterval { lo: number; hi: number; n: number }

export interface EpochHistory {
  rows: EpochRow[];
  /** Per epoch (same order as rows), the interval of train_accuracy and val_accuracy when the sample count is known. */
  intervals: { train: Array<AccuracyInterval | null>; val: Array<AccuracyInterval | null> };
  source: 'summary' | 'metrics';
}

const PER_EPOCH_TRAIN = new Set(['train_loss', 'train_accuracy', 'generalization_gap', 'epoch_seconds']);

function interval(acc: number | null | undefined, n: number | null | undefined): AccuracyInterval | null {
  if (typeof acc !== 'number' || !Number.isFinite(acc) || typeof n !== 'number' || !(n > 0)) return null;
  const k = Math.round(acc * n);
  if (k < 0 || k > n) return null;
  const ci = wilsonInterval(k, n);
  return { lo: ci.lo, hi: ci.hi, n };
}

/** The run's epochs, oldest first. */
export function epochHistory(run: RunView): EpochHistory {
  const summary = run.summary;
  const split = run.split;
  const splitN = { train: typeof split?.trainSize === 'number' ? split.trainSize : null, val: typeof split?.valSize === 'number' ? split.valSize : null };
  const history = Array.isArray(summary?.history) ? summary.history as Array<Record<string, number>> : null;
  if (history && run.status !== 'running') {
    const rows = history.map((h) => {
      const row: EpochRow = { epoch: h.epoch, step: null };
      for (const [k, v] of Object.entries(h)) if (k !== 'epoch' && !k.endsWith('_n')) row[k] = v;
      return row;
    });
    return {
      rows, source: 'summary',
      intervals: {
        train: history.map((h) => interval(h.train_accuracy, h.train_accuracy_n ?? splitN.train)),
        val: history.map((h) => interval(h.val_accuracy, h.val_accuracy_n ?? splitN.val)),
      },
    };
  }
  return run.memo('epoch-history', () => {
    const set = run.scanSeries((name) => name.startsWith('val') || PER_EPOCH_TRAIN.has(name));
    const byEpoch = new Map<number, EpochRow>();
    for (const s of set.series.values()) {
      if (!(s.split === 'val' || PER_EPOCH_TRAIN.has(s.name))) continue;
      for (let i = 0; i < s.length; i++) {
        const e = s.epochs[i];
        const row = byEpoch.get(e) ?? { epoch: e, step: s.steps[i] };
        row[s.name] = s.values[i];
        byEpoch.set(e, row);
      }
    }
    const rows = [...byEpoch.values()].sort((a, b) => a.epoch - b.epoch);
    return {
      rows, source: 'metrics' as const,
      intervals: { train: rows.map((r) => interval(r.train_accuracy, splitN.train)), val: rows.map((r) => interval(r.val_accuracy, splitN.val)) },
    };
  });
}

/** The best validation epoch: highest val_accuracy if logged, else lowest val_loss. */
export function bestEpoch(h: EpochHistory): { metric: string; value: number; epoch: number; interval: AccuracyInterval | null } | null {
  let best: { metric: string; value: number; epoch: number; interval: AccuracyInterval | null } | null = null;
  h.rows.forEach((r, i) => {
    const acc = r.val_accuracy, loss = r.val_loss;
    if (typeof acc === 'number' && Number.isFinite(acc)) {
      if (!best || best.metric !== 'val_accuracy' || acc > best.value) best = { metric: 'val_accuracy', value: acc, epoch: r.epoch, interval: h.intervals.val[i] };
    } else if (typeof loss === 'number' && Number.isFinite(loss) && (!best || (best.metric === 'val_loss' && loss < best.value))) {
      best = { metric: 'val_loss', value: loss, epoch: r.epoch, interval: null };
    }
  });
  return best;
}

/** summary.json's testAccuracyCI, written as [lo, hi] by `train` (and as { lo, hi } by other tools). */
export function intervalOf(v: unknown): { lo: number; hi: number } | null {
  if (Array.isArray(v) && typeof v[0] === 'number' && typeof v[1] === 'number') return { lo: v[0], hi: v[1] };
  if (v && typeof v === 'object' && typeof (v as { lo?: unknown }).lo === 'number' && typeof (v as { hi?: unknown }).hi === 'number') return v as { lo: number; hi: number };
  return null;
}
