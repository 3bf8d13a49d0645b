// The shapes of what a run directory holds (run.json, metrics.jsonl lines, test-ledger lines),
// as plain types with no Node import, so the dashboard's browser code can use them too.

/** One line of metrics.jsonl. */
export interface MetricRecord {
  step: number;
  epoch: number;
  split: string;
  name: string;
  value: number;
  time: number;
}

/**
 * How a run stands. `running` is what the training process writes; readers go through
 * `effectiveStatus` (track/liveness.ts), which reports a `running` run whose heartbeat is stale
 * as `crashed`. `interrupted` is a clean stop (Ctrl-C / SIGTERM) with a checkpoint to resume
 * from; `failed` is an error the process caught; `pruned` is a search trial stopped early.
 */
export type RunStatus = 'running' | 'completed' | 'interrupted' | 'crashed' | 'failed' | 'pruned' | 'stopped';

/**
 * Where a run's experiment came from, recorded in run.json so that every later command
 * (resume, test, compare, the dashboard) loads the very same definition: a built-in by name,
 * or a module file by absolute path with the SHA-256 of its content. The package version is
 * kept with it because a built-in's definition can change between versions.
 */
export type ExperimentSource =
  | { kind: 'builtin'; name: string; version: string }
  | { kind: 'file'; name: string; path: string; sha256: string; version: string };

export interface RunInfo {
  id: string;
  experiment: string;
  hparams: Record<string, unknown>;
  seed: number;
  backend: string;
  versions: Record<string, string>;
  status: RunStatus;
  createdAt: string;
  updatedAt: string;
  resumedAt?: string[];
  error?: string;
  /** The training process: its id, its host and the last time it said it was alive (ISO). */
  pid?: number;
  host?: string;
  heartbeatAt?: string;
  /** Where the experiment definition came from (built-in name, or file path + sha256), so later commands load the same one. */
  source?: ExperimentSource;
  /** Anything else worth keeping with the run (data split hash, final-mode flag, ...). */
  extra?: Record<string, unknown>;
}

/** One line of the test ledger (track/test-ledger.ts). */
export interface LedgerEntry {
  /** Content hash of the test set: every model evaluated on these examples counts, whatever experiment made it. */
  testSet: string;
  experiment?: string;
  runId: string;
  modelHash: string;
  metric: string;
  value: number;
  n: number;
  time: string;
}
