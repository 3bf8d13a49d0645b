import type { HParams } from '../experiments/define.js';
import { modeFor } from '../train/callbacks.js';
import { compareOverSeeds } from '../stats/compare-seeds.js';
import { studentTQuantile } from '../stats/student-t.js';

// The data of an ablation study and its table: no Node imports, so the dashboard page computes
// the same table in the server or a static report.

export type AblationMode = 'leave-one-out' | 'add-one';

export interface AblationSpec {
  name: string;
  experiment: string;
  features: string[];
  seeds: number[];
  mode: AblationMode;
  /** Hyperparameter overrides shared by every variant (--set). */
  overrides: HParams;
  /** The validation metric compared (the experiment's monitor, default val_loss). */
  metric: string;
}

export interface AblationTrial {
  variant: string;
  seed: number;
  status: 'pending' | 'running' | 'completed' | 'failed';
  runId?: string;
  /** Run directory relative to the study folder. */
  runDir?: string;
  value?: number;
  error?: string;
  /** Runs started for this trial that did not finish (a killed study), kept for the record. */
  abandoned?: string[];
}

export interface AblationStudyFile {
  kind: 'ablation';
  version: 1;
  spec: AblationSpec;
  trials: AblationTrial[];
  createdAt: string;
  updatedAt: string;
}

export interface Variant {
  name: string;
  /** The feature removed (leave-one-out) or added (add-one); none for the reference. */
  feature?: string;
  settings: Record<string, boolean>;
}

/** The reference variant first (full, or baseline), then one per feature. */
export function ablationVariants(features: readonly string[], mode: AblationMode): Variant[] {
  const all = (v: boolean) => Object.fromEntries(features.map((f) => [f, v]));
  if (mode === 'leave-one-out') {
    return [{ name: 'full', settings: all(true) }, ...features.map((f) => ({ name: `-${f}`, feature: f, settings: { ...all(true), [f]: false } }))];
  }
  return [{ name: 'baseline', settings: all(false) }, ...features.map((f) => ({ name: `+${f}`, feature: f, settings: { ...all(false), [f]: true } }))];
}

export interface AblationRow {
  variant: string;
  feature?: string;
  n: number;
  mean: number;
  /** t-interval of the mean over seeds. */
  lo: number;
  hi: number;
  /** Paired difference variant - reference over the shared seeds, with its interval (compareOverSeeds). */
  difference?: number;
  diffLo?: number;
  diffHi?: number;
  pValue?: number;
  verdict: string;
}

/** The study table: mean and interval per variant, the paired difference to the reference, and a verdict. */
export function ablationTable(study: AblationStudyFile, level = 0.95): AblationRow[] {
  const { spec } = study;
  const higherIsBetter = modeFor(spec.metric) === 'max';
  const variants = ablationVariants(spec.features, spec.mode);
  const ref = variants[0];
  const scores = (name: string) => new Map(study.trials.filter((t) => t.variant === name && t.status === 'completed' && t.value !== undefined).map((t) => [t.seed, t.value!]));
  const refScores = scores(ref.name);
  return variants.map((v) => {
    const s = scores(v.name);
    const vals = [...s.values()];
    const n = vals.length;
    const mean = n ? vals.reduce((a, b) => a + b, 0) / n : NaN;
    let lo = NaN, hi = NaN;
    if (n >= 2) {
      const sd = Math.sqrt(vals.reduce((a, b) => a + (b - mean) ** 2, 0) / (n - 1));
      const half = studentTQuantile((1 + level) / 2, n - 1) * sd / Math.sqrt(n);
      lo = mean - half; hi = mean + half;
    }
    const row: AblationRow = { variant: v.name, feature: v.feature, n, mean, lo, hi, verdict: v === ref ? 'reference' : '' };
    if (v === ref) return row;
    const shared = [...s.keys()].filter((seed) => refScores.has(seed)).sort((a, b) => a - b);
    if (shared.length < 2) { row.verdict = `needs >= 2 finished seeds shared with ${ref.name} (has ${shared.length})`; return row; }
    const c = compareOverSeeds(shared.map((k) => s.get(k)!), shared.map((k) => refScores.get(k)!), { paired: true, level, higherIsBetter });
    Object.assign(row, { difference: c.difference, diffLo: c.lo, diffHi: c.hi, pValue: c.pValue });
    if (c.lo <= 0 && c.hi >= 0) row.verdict = 'no detectable effect';
    else {
      const better = (c.difference > 0) === higherIsBetter;
      row.verdict = spec.mode === 'leave-one-out'
        ? (better ? `matters: removing ${v.feature} helps` : `matters: removing ${v.feature} hurts`)
        : (better ? `matters: adding ${v.feature} helps` : `matters: adding ${v.feature} hurts`);
    }
    return row;
  });
}
