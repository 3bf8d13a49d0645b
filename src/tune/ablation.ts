import { existsSync, mkdirSync } from 'node:fs';
import { join, resolve, relative } from 'node:path';
import type { Experiment, HParams, DataContext } from '../experiments/define.js';
import type { BatchInfo } from '../train/trainer.js';
import { Run } from '../track/run-store.js';
import { writeFileAtomic, readJsonFile } from '../track/files.js';
import { trainRun } from './train-run.js';
import { ablationVariants, type AblationSpec, type AblationTrial, type AblationStudyFile } from './ablation-table.js';

/**
 * Ablation studies: the full configuration and each configuration with one feature removed
 * (leave-one-out), or a baseline with every feature off and each one added (add-one), trained
 * over the same seeds. Features are boolean hyperparameters the experiment's model, data and
 * schedule read. Every trial is a real run in the run store; the study file
 * `<studies>/<name>/ablation.json` lists them and is rewritten atomically after every change,
 * so a killed study resumes where it stopped without redoing finished runs.
 */
export { ablationVariants, ablationTable, type AblationMode, type AblationSpec, type AblationTrial, type AblationStudyFile, type Variant, type AblationRow } from './ablation-table.js';

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
        extra: { kind: 'ablation', study: spec.name, variant: t.variant, studyFile: path, metric: spec.metric, features: spec.features, mode: spec.mode },
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

