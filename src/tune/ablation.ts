import { existsSync, mkdirSync } from 'node:fs';
import { join, resolve, relative } from 'node:path';
import type { Experiment, HParams, DataContext } from '../experiments/define.js';
import type { BatchInfo } from '../train/trainer.js';
import { modeFor } from '../train/callbacks.js';
import { Run } from '../track/run-store.js';
import { writeFileAtomic, readJsonFile } from '../track/files.js';
import { compareOverSeeds } from '../stats/compare-seeds.js';
import { studentTQuantile } from '../stats/student-t.js';
import { trainRun } from './train-run.js';

/**
 * Ablation studies: the full configuration and each configuration with one feature removed
 * (leave-one-out), or a baseline with every feature off and each one added (add-one), trained
 * over the same seeds. Features are boolean hyperparameters the experiment's model, data and
 * schedule read. Every trial is a real run in the run store; the study file
 * `<studies>/<name>/ablation.json` lists them and is rewritten atomically after every change,
 * so a killed study resumes where it stopped without redoing finished runs.
 */
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

/** Checks that every feature is a boolean hyperparameter of the experiment; the message lists the ones it has. */
export function checkFeatures(exp: Experiment<HParams>, features: readonly string[]): void {
  const booleans = Object.entries(exp.hparams).filter(([, v]) => typeof v === 'boolean').map(([k]) => k);
  if (features.length === 0) throw new RangeError(`ablation: name at least one feature; ${exp.name} has the boolean toggles ${booleans.join(', ') || '(none)'}`);
  const dup = features.find((f, i) => features.indexOf(f) !== i);
  if (dup) throw new RangeError(`ablation: feature '${dup}' is listed twice`);
  for (const f of features) {
    if (!(f in exp.hparams)) throw new RangeError(`ablation: '${exp.name}' has no hyperparameter '${f}'; its boolean toggles are ${booleans.join(', ') || '(none)'}`);
    if (typeof exp.hparams[f] !== 'boolean') throw new RangeError(`ablation: '${f}' is a ${typeof exp.hparams[f]} in '${exp.name}', not a boolean toggle; toggles are ${booleans.join(', ') || '(none)'}`);
  }
}

export function studyFilePath(studiesDir: string, name: string): string {
  return join(resolve(studiesDir), name, 'ablation.json');
}

function sameSpec(a: AblationSpec, b: AblationSpec): string | null {
  for (const k of ['experiment', 'mode', 'metric'] as const) if (a[k] !== b[k]) return `${k} ${JSON.stringify(a[k])} vs ${JSON.stringify(b[k])}`;
  for (const k of ['features', 'seeds'] as const) if (JSON.stringify(a[k]) !== JSON.stringify(b[k])) return `${k} ${a[k].join(',')} vs ${b[k].join(',')}`;
  if (JSON.stringify(a.overrides) !== JSON.stringify(b.overrides)) return `--set overrides ${JSON.stringify(a.overrides)} vs ${JSON.stringify(b.overrides)}`;
  return null;
}

/** Opens the study file (creating it with every trial pending), refusing a different spec under the same name. */
export function openAblationStudy(studiesDir: string, spec: AblationSpec): { path: string; study: AblationStudyFile; resumed: number } {
  const path = studyFilePath(studiesDir, spec.name);
  if (existsSync(path)) {
    const study = readJsonFile<AblationStudyFile>(path, 'ablation study');
    if (study.kind !== 'ablation') throw new Error(`${path} is not an ablation study (kind ${String(study.kind)})`);
    const diff = sameSpec(study.spec, spec);
    if (diff) throw new RangeError(`study '${spec.name}' already exists with different settings (${diff}); rerun with the same settings to resume, or choose another --name`);
    return { path, study, resumed: study.trials.filter((t) => t.status === 'completed').length };
  }
  mkdirSync(join(resolve(studiesDir), spec.name), { recursive: true });
  const now = new Date().toISOString();
  // Seed-major order: a study stopped halfway has every variant at the same seeds.
  const trials: AblationTrial[] = spec.seeds.flatMap((seed) => ablationVariants(spec.features, spec.mode).map((v) => ({ variant: v.name, seed, status: 'pending' as const })));
  const study: AblationStudyFile = { kind: 'ablation', version: 1, spec, trials, createdAt: now, updatedAt: now };
  writeFileAtomic(path, JSON.stringify(study, null, 1) + '\n');
  return { path, study, resumed: 0 };
}

export interface RunAblationOptions {
  studiesDir: string;
  runsDir: string;
  dataContext?: DataContext;
  versions?: Record<string, string>;
  onTrialStart?: (t: AblationTrial, index: number, total: number) => void;
  onTrialEnd?: (t: AblationTrial, index: number, total: number) => void;
  onBatch?: (b: BatchInfo) => void;
}

/** Runs (or resumes) a study: every trial not yet completed is trained; returns the study file's final state. */
export function runAblation(exp: Experiment<HParams>, spec: AblationSpec, o: RunAblationOptions): { study: AblationStudyFile; path: string; resumed: number; ran: number } {
  checkFeatures(exp, spec.features);
  if (spec.seeds.length === 0) throw new RangeError('ablation: give at least one seed');
  const { path, study, resumed } = openAblationStudy(o.studiesDir, spec);
  const studyDir = join(resolve(o.studiesDir), spec.name);
  const save = () => { study.updatedAt = new Date().toISOString(); writeFileAtomic(path, JSON.stringify(study, null, 1) + '\n'); };
  const variants = new Map(ablationVariants(spec.features, spec.mode).map((v) => [v.name, v]));
  let ran = 0;
  for (const [i, t] of study.trials.entries()) {
    if (t.status === 'completed') continue;
    if (t.status === 'running' && t.runDir) {
      // The process that started it is gone (a kill): mark that run and train the trial afresh.
      (t.abandoned ??= []).push(t.runId ?? t.runDir);
      try { const old = Run.open(join(studyDir, t.runDir)); if (old.info.status === 'running') old.setStatus('interrupted', 'the ablation study was stopped before this run finished; it was trained again'); } catch { /* already gone */ }
    }
    const v = variants.get(t.variant)!;
    const hp: HParams = { ...exp.hparams, ...spec.overrides, ...v.settings, seed: t.seed };
    o.onTrialStart?.(t, i, study.trials.length);
    // The run directory exists before the study file names it, so a kill between the two leaves an orphan run, never a dangling name.
    let result;
    try {
      result = trainRun(exp, hp, {
        runsDir: o.runsDir, dataContext: o.dataContext, versions: o.versions, onBatch: o.onBatch,
        onRunCreated: (run) => { Object.assign(t, { status: 'running', runId: run.info.id, runDir: relative(studyDir, run.dir) }); save(); },
        extra: { kind: 'ablation', study: spec.name, variant: t.variant, studyFile: path },
        print: () => { /* the study prints one line per trial */ },
      });
    } catch (e) {
      t.status = 'failed'; t.error = (e as Error).message;
      save();
      throw e;
    }
    const value = result.last[spec.metric];
    if (value === undefined) throw new Error(`ablation: the runs do not log '${spec.metric}'; they log ${Object.keys(result.last).join(', ')}`);
    Object.assign(t, { status: 'completed', runId: result.run.info.id, runDir: relative(studyDir, result.run.dir), value });
    delete t.error;
    save();
    ran++;
    o.onTrialEnd?.(t, i, study.trials.length);
  }
  return { study, path, resumed, ran };
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
