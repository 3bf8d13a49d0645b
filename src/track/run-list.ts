import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Run, listRuns, type RunStatus } from './run-store.js';
import { effectiveStatus } from './liveness.js';
import { readJsonFile } from './files.js';
import { wilsonInterval } from '../stats/binomial-interval.js';
import type { TrainerState } from '../train/checkpoint.js';
import type { ExperimentSource } from './experiment-source.js';

/** One row of `tradecraft runs`: how a run stands and what it achieved, from its files alone. */
export interface RunListing {
  id: string;
  dir: string;
  experiment: string;
  /** The built-in name or the module's path. */
  source?: string;
  /** As a reader should show it: a `running` run with a stale heartbeat is `crashed`. */
  status: RunStatus;
  createdAt: string;
  /** From creation to the last write (the last heartbeat while it runs), in seconds. */
  durationSeconds: number;
  epochsDone: number;
  epochsPlanned: number;
  /** The best checkpoint's validation metric; accuracies carry their 95% Wilson interval. */
  best?: { metric: string; value: number; epoch: number; interval?: [number, number]; n?: number };
  /** The test evaluation written when training finished. */
  test?: { accuracy?: number; interval?: [number, number]; loss?: number };
  pid?: number;
  host?: string;
  heartbeatAt?: string;
  error?: string;
}

function pointedState(checkpointsDir: string, which: 'best' | 'last'): TrainerState | undefined {
  const pointer = join(checkpointsDir, `${which}.json`);
  if (!existsSync(pointer)) return undefined;
  const { dir } = readJsonFile<{ dir: string }>(pointer, `${which}.json`);
  const path = join(checkpointsDir, dir, 'trainer.json');
  return existsSync(path) ? readJsonFile<TrainerState>(path, 'trainer.json') : undefined;
}

/** The listing of one run directory. */
export function describeRun(dir: string, nowMs = Date.now()): RunListing {
  const run = Run.open(dir);
  const info = run.info;
  const status = effectiveStatus(info, nowMs);
  const end = status === 'running' ? nowMs : Date.parse(info.updatedAt);
  const src = info.source as ExperimentSource | undefined;
  const row: RunListing = {
    id: info.id, dir: run.dir, experiment: info.experiment, source: src ? (src.kind === 'file' ? src.path : src.name) : undefined,
    status, createdAt: info.createdAt, durationSeconds: Math.max(0, (end - Date.parse(info.createdAt)) / 1000),
    epochsDone: 0, epochsPlanned: Number(info.hparams.epochs) || 0,
    pid: info.pid, host: info.host, heartbeatAt: info.heartbeatAt, error: info.error,
  };
  const last = pointedState(run.checkpointsDir, 'last');
  if (last) row.epochsDone = last.epoch;
  const best = pointedState(run.checkpointsDir, 'best');
  const b = best?.best as { epoch: number; metric: string; value: number } | null | undefined;
  if (b) {
    row.best = { metric: b.metric, value: b.value, epoch: b.epoch };
    const n = best!.history.find((h) => h.epoch === b.epoch)?.[`${b.metric}_n`];
    if (/accuracy/.test(b.metric) && n) {
      const ci = wilsonInterval(Math.round(b.value * n), n, 0.95);
      row.best.interval = [ci.lo, ci.hi];
      row.best.n = n;
    }
  }
  const summaryPath = join(run.dir, 'summary.json');
  if (existsSync(summaryPath)) {
    const s = readJsonFile<{ testAccuracy?: number; testAccuracyCI?: [number, number]; testLoss?: number }>(summaryPath, 'summary.json');
    row.test = { accuracy: s.testAccuracy, interval: s.testAccuracyCI, loss: s.testLoss };
  }
  return row;
}

/**
 * Every run under `root`, newest first, with its effective status, best validation metric and
 * test result. A run directory that cannot be read is skipped, not fatal.
 *
 *   for (const r of listRunSummaries('runs')) console.log(r.id, r.status, r.best?.value);
 */
export function listRunSummaries(root: string, nowMs = Date.now()): RunListing[] {
  const rows: RunListing[] = [];
  for (const dir of listRuns(root)) {
    try {
      rows.push(describeRun(dir, nowMs));
    } catch { /* a half-written or foreign folder: not a run to list */ }
  }
  return rows.sort((a, b) => b.createdAt.localeCompare(a.createdAt));
}
