import { mkdirSync, existsSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { writeFileAtomic, readJsonFile, JsonlAppender, readJsonl } from './files.js';
import type { MetricRecord, RunStatus, RunInfo } from './run-types.js';

export type { MetricRecord, RunStatus, RunInfo };

/**
 * A run directory: run.json (what ran, with which settings, and how it ended), metrics.jsonl
 * (append-only, one record per line as training goes), checkpoints/ and summary.json.
 */
export class Run {
  private appender: JsonlAppender | null = null;

  constructor(readonly dir: string, public info: RunInfo) {}

  static create(root: string, init: Omit<RunInfo, 'id' | 'status' | 'createdAt' | 'updatedAt'>): Run {
    const stamp = new Date().toISOString().replace(/[-:]/g, '').replace(/\..*/, '').replace('T', '-');
    const base = `${init.experiment.replace(/[^A-Za-z0-9_.-]/g, '_')}-${stamp}`;
    let id = base;
    let k = 1;
    mkdirSync(root, { recursive: true });
    // mkdir without `recursive` fails on an existing folder: two processes (study workers)
    // starting a run in the same second get different ids instead of sharing one directory.
    for (;;) {
      try {
        mkdirSync(join(root, id));
        break;
      } catch (e) {
        if ((e as { code?: string }).code !== 'EEXIST') throw e;
        id = `${base}-${++k}`;
      }
    }
    const dir = resolve(root, id);
    mkdirSync(join(dir, 'checkpoints'), { recursive: true });
    const now = new Date().toISOString();
    const run = new Run(dir, { ...init, id, status: 'running', createdAt: now, updatedAt: now });
    run.saveInfo();
    return run;
  }

  static open(dir: string): Run {
    const path = join(dir, 'run.json');
    if (!existsSync(path)) throw new Error(`${dir} is not a run directory: it has no run.json. Pass the folder printed by \`tradecraft train\` (under runs/).`);
    return new Run(resolve(dir), readJsonFile<RunInfo>(path, 'run.json'));
  }

  get checkpointsDir(): string {
    return join(this.dir, 'checkpoints');
  }

  saveInfo(): void {
    this.info.updatedAt = new Date().toISOString();
    writeFileAtomic(join(this.dir, 'run.json'), JSON.stringify(this.info, null, 2) + '\n');
  }

  setStatus(status: RunStatus, error?: string): void {
    this.info.status = status;
    if (error) this.info.error = error;
    this.saveInfo();
  }

  log(record: Omit<MetricRecord, 'time'>): void {
    if (!this.appender) this.appender = new JsonlAppender(join(this.dir, 'metrics.jsonl'));
    this.appender.append({ ...record, time: Date.now() / 1000 });
  }

  /** Records as logged; after a resume, later records for the same (step, split, name) replace earlier ones. */
  metrics(): MetricRecord[] {
    const path = join(this.dir, 'metrics.jsonl');
    if (!existsSync(path)) return [];
    const { records } = readJsonl<MetricRecord>(path, 'metrics.jsonl');
    const latest = new Map<string, MetricRecord>();
    for (const r of records) latest.set(`${r.step}|${r.split}|${r.name}`, r);
    return [...latest.values()].sort((a, b) => a.step - b.step || a.time - b.time);
  }

  writeSummary(summary: Record<string, unknown>): void {
    writeFileAtomic(join(this.dir, 'summary.json'), JSON.stringify(summary, null, 2) + '\n');
  }

  close(): void {
    this.appender?.close();
    this.appender = null;
  }
}

/** Run directories under root, newest first. */
export function listRuns(root: string): string[] {
  if (!existsSync(root)) return [];
  return readdirSync(root)
    .map((d) => join(root, d))
    .filter((d) => existsSync(join(d, 'run.json')))
    .sort()
    .reverse();
}
