import type { Direction, FrozenTrial, Params, SearchSpace, TrialState } from '../types.js';

/**
 * The study store: where many worker processes agree on which trial runs next. Two
 * implementations share this interface and one schema (versioned in the `meta` table):
 * SQLite (one file per study folder, WAL, every write in BEGIN IMMEDIATE with a busy timeout)
 * and PostgreSQL (row locks with FOR UPDATE SKIP LOCKED, for workers on several machines).
 *
 * Every decision that two workers could race on is made inside one transaction in the store:
 * trial numbers, sequence indices (grid/Sobol points), the trial budget, claiming a re-queued
 * trial and failing a trial whose heartbeat stopped. Times are milliseconds since the epoch; the
 * PostgreSQL store uses the server's clock so machines with skewed clocks agree on staleness.
 */

/** Version of the tables below; a store refuses to open a database written by a newer one. */
export const SCHEMA_VERSION = 1;

export interface StudySpec {
  name: string;
  direction: Direction;
  space: SearchSpace;
  sampler: string;
  pruner: string;
  /** What the study tunes and how (experiment, fixed overrides, metric): informational. */
  settings?: Record<string, unknown>;
}

export interface StudyRecord extends StudySpec {
  id: number;
  createdAt: number;
  settings: Record<string, unknown>;
}

export interface TrialRecord extends FrozenTrial {
  /** Row id in the store (trial numbers are per study). */
  id: number;
  worker: string | null;
  startedAt: number | null;
  finishedAt: number | null;
  heartbeatAt: number | null;
  /** The trial this one re-runs after its worker died. */
  retryOf: number | null;
  /** How many times this configuration has been re-queued so far. */
  retries: number;
  /** Whether a failed trial was re-queued (a retry trial exists). */
  requeued: boolean;
  error: string | null;
  attrs: Record<string, unknown>;
}

export interface StudySummary {
  name: string;
  direction: Direction;
  createdAt: number;
  counts: Record<TrialState, number>;
  best: number | null;
}

export interface NewTrial {
  params: Params;
  sequenceIndex?: number;
  worker: string;
  /** Budget: refuse (return null) when this many trials already count toward it. */
  maxTrials?: number;
}

export interface StudyStore {
  /** Where the store lives, for messages (a path or a URL without its password). */
  readonly location: string;
  /** Creates the study, or returns the existing one with that name (checking the direction matches). */
  createStudy(spec: StudySpec): Promise<StudyRecord>;
  getStudy(name: string): Promise<StudyRecord | null>;
  listStudies(): Promise<StudySummary[]>;
  /** Deletes the study, its trials and intermediate values; false when it did not exist. */
  deleteStudy(name: string): Promise<boolean>;

  /**
   * Claims the next unused sequence index of the study. An index claimed by a worker that died
   * before its trial was recorded (older than `orphanMs`, no trial) is handed out again, so a
   * grid point is never lost and never used twice.
   */
  claimSequenceIndex(studyId: number, worker: string, orphanMs: number): Promise<number>;
  /**
   * Inserts a running trial with the next trial number, unless the budget is used up (null).
   * Trials that count toward the budget: all but failed ones that were re-queued.
   */
  createTrial(studyId: number, t: NewTrial): Promise<TrialRecord | null>;
  /** Claims the oldest waiting (re-queued or enqueued) trial for this worker, or null. */
  claimWaiting(studyId: number, worker: string): Promise<TrialRecord | null>;
  /** Adds a waiting trial with fixed parameters (Optuna's enqueue_trial). */
  enqueueTrial(studyId: number, params: Params): Promise<number>;

  reportIntermediate(trialId: number, step: number, value: number): Promise<void>;
  setAttrs(trialId: number, attrs: Record<string, unknown>): Promise<void>;
  /** Ends a running trial. False if it was no longer running (a reaper failed it meanwhile). */
  finishTrial(trialId: number, state: 'complete' | 'pruned' | 'failed', value: number | null, error?: string): Promise<boolean>;
  /** Refreshes the heartbeat of these running trials. */
  heartbeat(trialIds: readonly number[]): Promise<void>;
  /**
   * Fails running trials whose heartbeat is older than graceMs and re-queues each as a new
   * waiting trial with the same parameters, unless it was already re-queued maxRetries times.
   * The failed trial keeps its intermediate values. Returns the failed trial numbers.
   */
  reapStale(studyId: number, graceMs: number, maxRetries: number): Promise<number[]>;

  /** Every trial of the study with its intermediate values, by number. */
  trials(studyId: number): Promise<TrialRecord[]>;
  /** Every trial of the study without intermediate values (cheap: one row per trial). */
  trialRows(studyId: number): Promise<TrialRecord[]>;
  /** The intermediate values of these trials (row ids). */
  intermediates(trialIds: readonly number[]): Promise<Map<number, Record<number, number>>>;
  close(): Promise<void>;
}

/** The budget rule shared by both stores, written once as SQL. */
export const COUNTS_TOWARD_BUDGET = `NOT (state = 'failed' AND requeued = 1)`;

export function emptyCounts(): Record<TrialState, number> {
  return { running: 0, complete: 0, pruned: 0, failed: 0, waiting: 0 };
}

/** Best complete value in a direction, or null. */
export function bestOf(trials: readonly FrozenTrial[], direction: Direction): FrozenTrial | null {
  let best: FrozenTrial | null = null;
  for (const t of trials) {
    if (t.state !== 'complete' || t.value === undefined || !Number.isFinite(t.value)) continue;
    if (!best || (direction === 'maximize' ? t.value > best.value! : t.value < best.value!)) best = t;
  }
  return best;
}

/** A row of the trials table as both drivers return it (columns in snake_case). */
export interface TrialRow {
  id: number | string;
  number: number | string;
  state: string;
  params: string | null;
  value: number | string | null;
  sequence_index: number | string | null;
  worker: string | null;
  started_at: number | string | null;
  finished_at: number | string | null;
  heartbeat_at: number | string | null;
  retry_of: number | string | null;
  retries: number | string;
  requeued: number | string | boolean;
  error: string | null;
  attrs: string | null;
}

const num = (v: number | string | null): number | null => (v === null ? null : Number(v));

export function trialFromRow(r: TrialRow, intermediate: Record<number, number> = {}): TrialRecord {
  const value = num(r.value);
  const seq = num(r.sequence_index);
  return {
    id: Number(r.id), number: Number(r.number), state: r.state as TrialState,
    params: r.params ? (JSON.parse(r.params) as Params) : {},
    ...(value !== null ? { value } : {}),
    ...(seq !== null ? { sequenceIndex: seq } : {}),
    intermediate,
    worker: r.worker, startedAt: num(r.started_at), finishedAt: num(r.finished_at), heartbeatAt: num(r.heartbeat_at),
    retryOf: num(r.retry_of), retries: Number(r.retries), requeued: Boolean(Number(r.requeued)), error: r.error,
    attrs: r.attrs ? (JSON.parse(r.attrs) as Record<string, unknown>) : {},
  };
}

/** A readable name for this worker: host, process id and a random tag (pids repeat across machines and restarts). */
export function workerId(host: string, pid: number): string {
  return `${host}:${pid}:${Math.random().toString(36).slice(2, 8)}`;
}
