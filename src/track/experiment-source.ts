import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { builtinExperiments } from '../experiments/registry.js';
import type { Experiment, HParams } from '../experiments/define.js';
import { loadExperiment } from '../cli/load-experiment.js';
import { UsageError } from '../cli/args.js';
import { Run } from './run-store.js';

export type { ExperimentSource } from './run-types.js';
import type { ExperimentSource } from './run-types.js';

/** This package's version from its package.json ('unknown' in an unusual layout). */
export function packageVersion(): string {
  try {
    return (JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string }).version;
  } catch {
    return 'unknown';
  }
}

/** SHA-256 of a file's bytes, hex. */
export function sha256File(path: string): string {
  return createHash('sha256').update(readFileSync(path)).digest('hex');
}

/** The source record for an experiment loaded from `ref` (what the user typed: a name or a path). */
export function experimentSource(ref: string, exp: Experiment<HParams>): ExperimentSource {
  if (builtinExperiments[ref] === exp) return { kind: 'builtin', name: exp.name, version: packageVersion() };
  const path = resolve(ref);
  return { kind: 'file', name: exp.name, path, sha256: sha256File(path), version: packageVersion() };
}

export interface RunExperiment {
  experiment: Experiment<HParams>;
  /** Where it was loaded from this time. */
  source: ExperimentSource;
  /** Things worth a line on stderr that do not stop the command (another package version, an overridden file). */
  warnings: string[];
}

/**
 * Loads the experiment a run was trained with, from the source recorded in its run.json.
 * `experiment` (the CLI's `--experiment PATH`) points at a moved file or accepts a changed one;
 * its definition must carry the run's experiment name. A recorded file that is gone or whose
 * content changed is a UsageError that says so and names `--experiment`.
 *
 *   const { experiment } = await loadRunExperiment('runs/my-mlp-20260101-120000');
 */
export async function loadRunExperiment(runOrDir: Run | string, o: { experiment?: string } = {}): Promise<RunExperiment> {
  const run = typeof runOrDir === 'string' ? Run.open(runOrDir) : runOrDir;
  const recorded = run.info.source as ExperimentSource | undefined;
  const warnings: string[] = [];
  const name = run.info.experiment;
  if (o.experiment) {
    const experiment = await loadExperiment(o.experiment);
    if (experiment.name !== name) {
      throw new UsageError(`${o.experiment} defines experiment '${experiment.name}', but run ${run.info.id} was trained with '${name}'`);
    }
    const source = experimentSource(o.experiment, experiment);
    if (recorded?.kind === 'file' && source.kind === 'file' && source.sha256 !== recorded.sha256) {
      warnings.push(`note: ${source.path} differs from the file run ${run.info.id} was trained with (sha256 ${short(recorded.sha256)} then, ${short(source.sha256)} now); using it as --experiment says`);
    }
    return { experiment, source, warnings };
  }
  if (!recorded || recorded.kind === 'builtin') {
    const experiment = builtinExperiments[recorded?.name ?? name];
    if (!experiment) {
      throw new UsageError(`run ${run.info.id} does not record where its experiment '${name}' came from and it is not a built-in; pass --experiment PATH to the module it was trained with`);
    }
    const version = packageVersion();
    if (recorded && recorded.version !== version) {
      warnings.push(`note: run ${run.info.id} was trained with tradecraft ${recorded.version}; the built-in '${name}' now comes from ${version}`);
    }
    return { experiment, source: { kind: 'builtin', name, version }, warnings };
  }
  if (!existsSync(recorded.path)) {
    throw new UsageError(`run ${run.info.id} was trained with the experiment file ${recorded.path}, which is no longer there (moved or deleted); pass --experiment PATH to where it is now`);
  }
  const now = sha256File(recorded.path);
  if (now !== recorded.sha256) {
    throw new UsageError(`the experiment file ${recorded.path} changed since run ${run.info.id} was trained (sha256 ${short(recorded.sha256)} then, ${short(now)} now); restore it, or pass --experiment ${recorded.path} to use it as it is`);
  }
  const experiment = await loadExperiment(recorded.path);
  if (experiment.name !== name) throw new UsageError(`${recorded.path} now defines experiment '${experiment.name}', but run ${run.info.id} was trained with '${name}'`);
  return { experiment, source: recorded, warnings };
}

function short(hash: string): string {
  return hash.slice(0, 12);
}
