// An ApiStore over data embedded in a page (the self-contained report): the same page routes
// run in the browser against it, so the report's charts keep their smoothing, axis and zoom
// controls without a server.
import { ApiError } from './page.js';
import type { ApiStore, CheckpointView, LedgerEntryView, RunInfoView, RunView } from './api-types.js';
import { SeriesSet } from './series/series-set.js';

export interface EmbeddedSeries { split: string; name: string; steps: number[]; epochs: number[]; times: number[]; values: Array<number | null> }

export interface EmbeddedRun {
  id: string;
  info: RunInfoView | null;
  status: string;
  error: string | null;
  summary: Record<string, unknown> | null;
  split: Record<string, unknown> | null;
  checkpoints: CheckpointView[];
  metricsBytes: number;
  series: EmbeddedSeries[];
}

export interface EmbeddedStore { runs: EmbeddedRun[]; ledger: LedgerEntryView[] }

/** Captures a run (all of its records) for embedding. */
export function embedRun(run: RunView): EmbeddedRun {
  const set = run.series();
  const series: EmbeddedSeries[] = [...set.series.values()].map((s) => ({
    split: s.split, name: s.name,
    steps: Array.from(s.column('steps')), epochs: Array.from(s.column('epochs')), times: Array.from(s.column('times')),
    values: Array.from(s.column('values'), (v) => (Number.isFinite(v) ? v : null)),
  }));
  return { id: run.id, info: run.info, status: run.status, error: run.error, summary: run.summary, split: run.split, checkpoints: run.checkpoints, metricsBytes: run.metricsBytes, series };
}

export class StaticStore implements ApiStore {
  private readonly sets = new Map<string, SeriesSet>();

  constructor(private readonly data: EmbeddedStore) {}

  runIds(): string[] {
    return this.data.runs.map((r) => r.id);
  }

  run(id: string): RunView {
    const r = this.data.runs.find((x) => x.id === id);
    if (!r) throw new ApiError(404, `run '${id}' is not in this report`);
    const series = (): SeriesSet => {
      let set = this.sets.get(id);
      if (!set) {
        set = new SeriesSet();
        for (const s of r.series) for (let i = 0; i < s.steps.length; i++) {
          set.add({ split: s.split, name: s.name, step: s.steps[i], epoch: s.epochs[i], time: s.times[i], value: s.values[i] ?? NaN });
        }
        this.sets.set(id, set);
      }
      return set;
    };
    const memos = new Map<string, unknown>();
    const memo = <T>(key: string, compute: () => T): T => {
      if (!memos.has(key)) memos.set(key, compute());
      return memos.get(key) as T;
    };
    return { ...r, series, scanSeries: () => series(), seriesLoaded: () => true, memo };
  }

  ledger(): LedgerEntryView[] {
    return this.data.ledger;
  }
}
