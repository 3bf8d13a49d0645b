// What dashboard routes read, as plain interfaces: the server implements them over the run
// directories, a static report over data embedded in the page. Nothing here touches Node.
import type { SeriesSet } from './series/series-set.js';
import type { RunInfo, LedgerEntry } from '../track/run-types.js';

/** run.json as the dashboard reads it: any status string (a newer version may add some), no source. */
export type RunInfoView = Omit<RunInfo, 'status' | 'source'> & { status: string };

export interface CheckpointView {
  name: string;
  epoch: number | null;
  step: number | null;
  best: boolean;
  last: boolean;
}

export type LedgerEntryView = LedgerEntry;

/** One run as the store sees it now. A broken run has `error` set and whatever could be read. */
export interface RunView {
  id: string;
  info: RunInfoView | null;
  /** effectiveStatus(info), or 'unreadable' when run.json cannot be read. */
  status: string;
  /** What is wrong with this run (missing or corrupt run.json, a bad metrics line, deleted); null if nothing. */
  error: string | null;
  summary: Record<string, unknown> | null;
  /** split.json without the index lists. */
  split: Record<string, unknown> | null;
  checkpoints: CheckpointView[];
  /** Bytes of metrics.jsonl read so far. */
  metricsBytes: number;
  /** The metric columns, brought up to date with the file. */
  series(): SeriesSet;
  /**
   * Only the records whose metric name passes `keep`, read in one pass that parses no other line
   * (the runs page needs the per-epoch records of a run, not its 100,000 batch records). Not kept.
   */
  scanSeries(keep: (name: string) => boolean): SeriesSet;
  /** True when the metric columns are in memory already (the runs page does not load them for finished runs). */
  seriesLoaded(): boolean;
  /**
   * A value derived from the metrics, computed once per state of metrics.jsonl and kept after the
   * columns are dropped (so the runs page does not re-read finished runs to show their best epoch).
   */
  memo<T>(key: string, compute: () => T): T;
}

/** A study folder written by `tradecraft prune` or `tradecraft repro`, found by the store itself. */
export interface StudyFolderView {
  /** The folder's name (lottery-<experiment>-<time> or repro-<name>-<time>). */
  name: string;
  /**
   * A file of the folder as text, or null when it is not there (yet). Only plain relative names
   * (`summary.json`, `lottery-study/results.jsonl`) are accepted; the store resolves them itself.
   */
  readText(file: string): string | null;
}

export interface ApiStore {
  /** Run ids the store listed itself, newest first. */
  runIds(): string[];
  /** The run with this id; throws ApiError(404) for an id the store did not list. */
  run(id: string): RunView;
  /** Every test-ledger entry beside the runs. */
  ledger(): LedgerEntryView[];
  /** Study folders of `prune` and `repro` beside the runs, newest first (absent: none, e.g. a static report). */
  studyFolders?(): StudyFolderView[];
}
