import type { RunInfo, RunStatus } from './run-store.js';

/** A training process refreshes `heartbeatAt` this often while it runs. */
export const HEARTBEAT_INTERVAL_MS = 5_000;

/**
 * A `running` run whose heartbeat is older than this is taken as dead (SIGKILL, crash, power
 * loss): six missed beats, so a long synchronous step or a busy machine does not read as a crash.
 * TRADECRAFT_HEARTBEAT_STALE_MS overrides it (tests use a short value).
 */
export function heartbeatStaleMs(): number {
  const env = Number(process.env.TRADECRAFT_HEARTBEAT_STALE_MS);
  return Number.isFinite(env) && env > 0 ? env : 6 * HEARTBEAT_INTERVAL_MS;
}

/**
 * The status a reader should show: what run.json says, except that a run marked `running`
 * whose heartbeat is stale (or that never beat and was last updated long ago) is `crashed`.
 */
export function effectiveStatus(info: RunInfo, nowMs = Date.now()): RunStatus {
  if (info.status !== 'running') return info.status;
  const beat = Date.parse(info.heartbeatAt ?? info.updatedAt);
  return Number.isFinite(beat) && nowMs - beat <= heartbeatStaleMs() ? 'running' : 'crashed';
}
