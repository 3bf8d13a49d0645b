// One run directory seen read-only: run.json, summary.json and split.json re-read only when
// their modification time changes, checkpoints listed from the best/last pointers, and the
// metrics followed incrementally. Every failure is caught and kept as this run's `error`, so a
// corrupt or half-written run never breaks the others.
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { effectiveStatus } from '../../track/liveness.js';
import type { RunInfo } from '../../track/run-store.js';
import type { CheckpointView, RunInfoView, RunView } from '../api-types.js';
import type { SeriesSet } from '../series/series-set.js';
import { MetricsReader } from './metrics-reader.js';

interface Cached<T> { mtimeMs: number; size: number; value: T | null; error: string | null }

/** Reads a JSON file again only when it changed; a missing file is null without error when optional. */
function cachedJson<T>(path: string, cache: Map<string, Cached<T>>, optional: boolean): Cached<T> {
  let st;
  try {
    st = statSync(path);
  } catch {
    cache.delete(path);
    return { mtimeMs: 0, size: 0, value: null, error: optional ? null : `${path.split(/[\\/]/).pop()} is missing` };
  }
  const hit = cache.get(path);
  if (hit && hit.mtimeMs === st.mtimeMs && hit.size === st.size) return hit;
  let entry: Cached<T>;
  const name = path.split(/[\\/]/).pop();
  try {
    const text = readFileSync(path, 'utf8');
    entry = { mtimeMs: st.mtimeMs, size: st.size, value: JSON.parse(text) as T, error: null };
  } catch (e) {
    entry = { mtimeMs: st.mtimeMs, size: st.size, value: null, error: `${name} is not valid JSON (${(e as Error).message})` };
  }
  cache.set(path, entry);
  return entry;
}

export class RunDirectory implements RunView {
  private readonly files = new Map<string, Cached<unknown>>();
  private reader: MetricsReader | null = null;
  private readError: string | null = null;
  /** When the metric columns were last used (for the store's memory bound). */
  lastUsed = 0;

  constructor(readonly id: string, readonly dir: string, private readonly onLoad: () => void = () => {}) {}

  private json<T>(name: string, optional: boolean): Cached<T> {
    return cachedJson<T>(join(this.dir, name), this.files as Map<string, Cached<T>>, optional);
  }

  get info(): RunInfoView | null {
    const v = this.json<RunInfo>('run.json', false).value;
    return v && typeof v === 'object' && typeof v.hparams === 'object' ? v : null;
  }

  get status(): string {
    const info = this.info;
    return info ? effectiveStatus(info as RunInfo) : 'unreadable';
  }

  get error(): string | null {
    if (!existsSync(this.dir)) return 'the run directory was deleted';
    const run = this.json<RunInfo>('run.json', false);
    const problems = [
      run.error ?? (run.value && !this.info ? 'run.json has no hparams' : null),
      this.json('summary.json', true).error,
      this.readError,
      this.reader?.problem() ?? null,
    ].filter((p): p is string => Boolean(p));
    return problems.length ? problems.join('; ') : null;
  }

  get summary(): Record<string, unknown> | null {
    return this.json<Record<string, unknown>>('summary.json', true).value;
  }

  get split(): Record<string, unknown> | null {
    const s = this.json<Record<string, unknown>>('split.json', true).value;
    if (!s || typeof s !== 'object') return null;
    const { trainIndices, valIndices, ...rest } = s;
    return {
      ...rest,
      ...(Array.isArray(trainIndices) ? { trainSize: trainIndices.length } : {}),
      ...(Array.isArray(valIndices) ? { valSize: valIndices.length } : {}),
    };
  }

  get checkpoints(): CheckpointView[] {
    const dir = join(this.dir, 'checkpoints');
    let names: string[];
    try {
      names = readdirSync(dir, { withFileTypes: true }).filter((d) => d.isDirectory() && !d.name.startsWith('.')).map((d) => d.name).sort();
    } catch {
      return [];
    }
    const pointer = (p: string): { dir?: string } => this.json<{ dir?: string }>(join('checkpoints', `${p}.json`), true).value ?? {};
    const best = pointer('best').dir, last = pointer('last').dir;
    return names.map((name) => {
      const t = this.json<{ epoch?: number; step?: number }>(join('checkpoints', name, 'trainer.json'), true).value;
      return { name, epoch: t?.epoch ?? null, step: t?.step ?? null, best: name === best, last: name === last };
    });
  }

  get metricsBytes(): number {
    return this.reader?.offset ?? 0;
  }

  scanSeries(keep: (name: string) => boolean): SeriesSet {
    if (this.reader) return this.series();
    const scan = new MetricsReader(join(this.dir, 'metrics.jsonl'), keep);
    try {
      scan.refresh();
    } catch (e) {
      this.readError = `metrics.jsonl could not be read (${(e as Error).message})`;
    }
    return scan.set;
  }

  seriesLoaded(): boolean {
    return this.reader !== null;
  }

  /** Brings the columns up to date with metrics.jsonl (reading only the new bytes). */
  series(): SeriesSet {
    this.lastUsed = Date.now();
    if (!this.reader) {
      this.reader = new MetricsReader(join(this.dir, 'metrics.jsonl'));
      this.onLoad();
    }
    try {
      this.reader.refresh();
      this.readError = null;
    } catch (e) {
      const code = (e as { code?: string }).code;
      this.readError = code === 'ENOENT' ? 'metrics.jsonl was deleted' : `metrics.jsonl could not be read (${(e as Error).message})`;
    }
    return this.reader.set;
  }

  private readonly memos = new Map<string, { stamp: string; value: unknown }>();

  memo<T>(key: string, compute: () => T): T {
    let stamp = 'none';
    try {
      const st = statSync(join(this.dir, 'metrics.jsonl'));
      stamp = `${st.size}:${st.mtimeMs}`;
    } catch { /* no metrics yet */ }
    const hit = this.memos.get(key);
    if (hit && hit.stamp === stamp) return hit.value as T;
    const value = compute();
    this.memos.set(key, { stamp, value });
    return value;
  }

  /** Drops the metric columns (they are read again, from the start, when next needed). */
  unload(): void {
    this.reader = null;
  }
}
