// Runs that differ only in their seed are repeats of one experiment: grouped, they are drawn as
// one mean line with a 95% interval band (Student t over the seeds, per x bucket), which says
// how much of a difference between two settings is noise.
import { studentTQuantile } from '../../stats/student-t.js';

/** Groups run ids by their hyperparameters without `seed`; keeps first-seen order. */
export function seedGroups(runs: Array<{ id: string; experiment: string; hparams: Record<string, unknown> }>): Array<{ key: string; ids: string[] }> {
  const groups = new Map<string, string[]>();
  for (const r of runs) {
    const { seed: _seed, ...rest } = r.hparams;
    const key = r.experiment + ' ' + JSON.stringify(Object.fromEntries(Object.entries(rest).sort(([a], [b]) => a.localeCompare(b))));
    groups.set(key, [...(groups.get(key) ?? []), r.id]);
  }
  return [...groups].map(([key, ids]) => ({ key, ids }));
}

/** Hyperparameter names whose values are not the same in every run. */
export function differingHparams(runs: Array<{ hparams: Record<string, unknown> }>): string[] {
  const keys = new Set(runs.flatMap((r) => Object.keys(r.hparams)));
  return [...keys].filter((k) => new Set(runs.map((r) => JSON.stringify(r.hparams[k]))).size > 1).sort();
}

/**
 * Mean and 95% t-interval across runs at each bucket (columns: runs x buckets). A bucket where
 * fewer than two runs have a value gets the mean (or NaN) and no interval.
 */
export function meanInterval(columns: Float64Array[], level = 0.95): { mean: number[]; lo: number[]; hi: number[] } {
  const buckets = columns[0]?.length ?? 0;
  const mean: number[] = [], lo: number[] = [], hi: number[] = [];
  for (let b = 0; b < buckets; b++) {
    const vals = columns.map((c) => c[b]).filter(Number.isFinite);
    const k = vals.length;
    const m = k ? vals.reduce((s, v) => s + v, 0) / k : NaN;
    mean.push(m);
    if (k < 2) { lo.push(NaN); hi.push(NaN); continue; }
    const sd = Math.sqrt(vals.reduce((s, v) => s + (v - m) * (v - m), 0) / (k - 1));
    const half = studentTQuantile((1 + level) / 2, k - 1) * sd / Math.sqrt(k);
    lo.push(m - half);
    hi.push(m + half);
  }
  return { mean, lo, hi };
}
