import { hostname } from 'node:os';
import { HEARTBEAT_INTERVAL_MS, effectiveStatus } from './liveness.js';
import type { Run, RunInfo } from './run-store.js';

/**
 * Keeps a training run's liveness fields fresh: records the process id and host, then rewrites
 * `heartbeatAt` in run.json every HEARTBEAT_INTERVAL_MS. The timer only fires when the training
 * loop yields to the event loop (Trainer.fitAsync), so `beatIfDue()` is also called at each
 * yield: a loop that yields rarely still beats. A reader that finds the beat stale reads the
 * run as crashed (effectiveStatus in liveness.ts).
 */
export class Heartbeat {
  private timer: ReturnType<typeof setInterval> | null = null;
  private lastBeat = 0;

  constructor(private readonly run: Run, private readonly intervalMs = HEARTBEAT_INTERVAL_MS) {}

  start(): this {
    this.run.info.pid = process.pid;
    this.run.info.host = hostname();
    this.beat();
    this.timer = setInterval(() => this.beat(), this.intervalMs);
    this.timer.unref();
    return this;
  }

  beat(): void {
    this.lastBeat = Date.now();
    this.run.info.heartbeatAt = new Date(this.lastBeat).toISOString();
    this.run.saveInfo();
  }

  beatIfDue(): void {
    if (Date.now() - this.lastBeat >= this.intervalMs) this.beat();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }
}

/**
 * Why a run must not be resumed now, or null: its training process is still alive (same host,
 * the recorded pid answers), or it runs on another host whose heartbeat is still fresh.
 */
export function stillRunning(info: RunInfo, nowMs = Date.now()): string | null {
  if (effectiveStatus(info, nowMs) !== 'running' || info.pid === undefined) return null;
  if (info.host === hostname()) {
    if (info.pid === process.pid) return null;
    try {
      process.kill(info.pid, 0);
    } catch (e) {
      return (e as NodeJS.ErrnoException).code === 'EPERM' ? `its process ${info.pid} is still alive` : null;
    }
    return `its process ${info.pid} is still alive`;
  }
  return `it is running on ${info.host ?? 'another host'} (pid ${info.pid}, heartbeat ${info.heartbeatAt})`;
}
