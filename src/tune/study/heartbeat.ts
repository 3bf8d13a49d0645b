import { Worker } from 'node:worker_threads';

/**
 * Heartbeats on by default: a worker refreshes the heartbeat of its running trials every
 * `intervalMs`, and any worker that finds a running trial whose heartbeat is older than
 * `graceMs` marks it failed and re-queues it (at most `maxRetries` times per configuration).
 * Defaults follow Optuna's advice of a grace period of at least twice the interval, with room
 * for a busy machine; TRADECRAFT_STUDY_HEARTBEAT_MS / TRADECRAFT_STUDY_GRACE_MS override them.
 */
export interface HeartbeatOptions {
  intervalMs?: number;
  graceMs?: number;
  maxRetries?: number;
}

export interface ResolvedHeartbeat { intervalMs: number; graceMs: number; maxRetries: number }

const envMs = (name: string): number | undefined => {
  const v = process.env[name];
  if (v === undefined || v === '') return undefined;
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`${name} must be a positive number of milliseconds, got '${v}'`);
  return n;
};

export function resolveHeartbeat(o: HeartbeatOptions = {}): ResolvedHeartbeat {
  const intervalMs = o.intervalMs ?? envMs('TRADECRAFT_STUDY_HEARTBEAT_MS') ?? 10_000;
  const graceMs = o.graceMs ?? envMs('TRADECRAFT_STUDY_GRACE_MS') ?? Math.max(60_000, 3 * intervalMs);
  const maxRetries = o.maxRetries ?? 1;
  if (!(graceMs > intervalMs)) throw new RangeError(`heartbeat grace (${graceMs} ms) must exceed the interval (${intervalMs} ms), or live trials would be failed`);
  if (!Number.isInteger(maxRetries) || maxRetries < 0) throw new RangeError(`maxRetries must be a whole number >= 0, got ${maxRetries}`);
  return { intervalMs, graceMs, maxRetries };
}

/**
 * Beats from a worker thread with its own database connection. Training a trial is synchronous
 * (a whole epoch blocks the main thread), so a timer on the main thread would fall silent
 * exactly while the trial is busiest; the thread keeps beating until the process dies. It also
 * reaps: every beat it fails and re-queues other workers' stale trials.
 */
export class HeartbeatThread {
  private worker: Worker;
  private onReap?: (numbers: number[]) => void;

  constructor(storage: string, studyId: number, readonly options: ResolvedHeartbeat, onReap?: (numbers: number[]) => void) {
    this.onReap = onReap;
    this.worker = new Worker(new URL('./heartbeat-thread.js', import.meta.url), {
      workerData: { storage, studyId, ...options },
    });
    this.worker.unref();
    this.worker.on('message', (m: { reaped?: number[] }) => { if (m.reaped?.length) this.onReap?.(m.reaped); });
    this.worker.on('error', (e) => { console.error(`tradecraft study: the heartbeat thread failed (${e.message}); trials of this worker may be taken as dead`); });
  }

  /** The running trials of this process (row ids). */
  set(trialIds: readonly number[]): void {
    this.worker.postMessage({ ids: [...trialIds] });
  }

  async stop(): Promise<void> {
    this.worker.postMessage({ stop: true });
    await new Promise<void>((res) => {
      const t = setTimeout(() => { void this.worker.terminate().then(() => res()); }, 5000);
      this.worker.once('exit', () => { clearTimeout(t); res(); });
    });
  }
}
