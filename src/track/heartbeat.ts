import { hostname } from 'node:os';
import { HEARTBEAT_INTERVAL_MS } from './liveness.js';
import type { Run } from './run-store.js';

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
