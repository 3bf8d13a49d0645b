import { hostname } from 'node:os';
import type { Direction, FrozenTrial, Params, Pruner, Sampler, SearchSpace, SampleContext } from '../types.js';
import { bestOf, workerId, type StudyStore, type TrialRecord } from './store.js';
import { openStore, defaultStorage } from './open-store.js';
import { HeartbeatThread, resolveHeartbeat, type HeartbeatOptions, type ResolvedHeartbeat } from './heartbeat.js';
import { Trial } from './trial.js';
import { TrialPruned, isSearchExhausted } from './errors.js';
import { seededRandom } from './rng.js';
import { defaultSampler } from './sampler-choice.js';

export interface CreateStudyOptions {
  name: string;
  /** A path (SQLite), `sqlite:PATH` or `postgres://...`; default `studies/<name>/study.db`. */
  storage?: string;
  direction?: Direction;
  space: SearchSpace;
  sampler?: Sampler;
  pruner?: Pruner | null;
  /** Kept with the study (experiment, overrides, metric). */
  settings?: Record<string, unknown>;
  /** Heartbeat timing and re-queue limit; `false` turns heartbeats off (not recommended). */
  heartbeat?: HeartbeatOptions | false;
}

export interface OptimizeOptions {
  /** Stop creating trials once the study holds this many (counted across all workers). */
  trials?: number;
  /** Trials run concurrently in this process (for async objectives; processes are the CLI's --workers). */
  workers?: number;
  /** Stop starting new trials after this many seconds. */
  timeout?: number;
  /** Called after each trial this process finishes. */
  onTrialEnd?: (t: TrialRecord) => void;
  /** How often to look again for re-queued work while other workers' trials still run (ms). */
  pollMs?: number;
}

export type Objective = (trial: Trial) => Promise<number> | number;

/** Why ask() gave no trial. */
export type NoTrialReason = 'budget' | 'exhausted';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * A study: a search space, a sampler, a pruner and a store that many workers share. The
 * Optuna-shaped API: `ask()` / `tell()` for manual loops, `optimize()` for the usual one.
 *
 *   const study = await createStudy({ name: 'lr', space: { lr: { type: 'float', low: 1e-4, high: 1e-1, log: true } }, direction: 'minimize' });
 *   await study.optimize(async (t) => (Math.log10(Number(t.params.lr)) + 2) ** 2, { trials: 20 });
 *   console.log((await study.bestTrial())?.params);
 */
export class Study {
  readonly worker: string;
  private heartbeat: HeartbeatThread | null = null;
  private active = new Set<number>();
  private finished = new Map<number, Record<number, number>>();
  private asked = 0;
  lastNoTrial: NoTrialReason | null = null;

  constructor(
    readonly id: number, readonly name: string, readonly direction: Direction, readonly space: SearchSpace,
    readonly store: StudyStore, readonly storage: string, readonly sampler: Sampler, readonly pruner: Pruner | null,
    readonly beat: ResolvedHeartbeat | null,
  ) {
    this.worker = workerId(hostname(), process.pid);
  }

  /**
   * Every trial with its intermediate values. A finished trial never changes again, so its
   * values are read once and cached: a pruner asking after every epoch of a 1,000-trial study
   * reads one row per trial plus the running trials' values, not 100,000 values.
   */
  async trials(): Promise<TrialRecord[]> {
    const rows = await this.store.trialRows(this.id);
    const need = new Set(rows.filter((r) => !(r.state !== 'running' && r.state !== 'waiting' && this.finished.has(r.id))).map((r) => r.id));
    const fresh = await this.store.intermediates([...need]);
    for (const r of rows) {
      const cached = this.finished.get(r.id);
      r.intermediate = fresh.get(r.id) ?? (need.has(r.id) ? {} : cached ?? {});
      if (r.state !== 'running' && r.state !== 'waiting' && !cached) this.finished.set(r.id, r.intermediate);
    }
    return rows;
  }

  async bestTrial(): Promise<TrialRecord | null> {
    return bestOf(await this.trials(), this.direction) as TrialRecord | null;
  }

  private track(): void {
    if (!this.beat) return;
    if (!this.heartbeat && this.active.size > 0) this.heartbeat = new HeartbeatThread(this.storage, this.id, this.beat);
    this.heartbeat?.set([...this.active]);
  }

  /**
   * A new trial: a re-queued one if any waits, else fresh parameters from the sampler. Null when
   * the budget (`maxTrials`) is used up or the sampler has no points left (see `lastNoTrial`).
   */
  async ask(o: { maxTrials?: number } = {}): Promise<Trial | null> {
    if (this.beat) await this.store.reapStale(this.id, this.beat.graceMs, this.beat.maxRetries);
    const waiting = await this.store.claimWaiting(this.id, this.worker);
    if (waiting) return this.started(waiting);
    const trials = await this.trials();
    if (o.maxTrials !== undefined && trials.filter((t) => !(t.state === 'failed' && t.requeued)).length >= o.maxTrials) {
      this.lastNoTrial = 'budget';
      return null;
    }
    const orphanMs = this.beat?.graceMs ?? 60_000;
    const ctx: SampleContext = {
      direction: this.direction,
      nextSequenceIndex: () => this.store.claimSequenceIndex(this.id, this.worker, orphanMs),
      random: seededRandom(this.name, this.worker, trials.length, this.asked++),
    };
    let sample: { params: Params; sequenceIndex?: number };
    try {
      sample = await this.sampler.sample(this.space, trials as FrozenTrial[], ctx);
    } catch (e) {
      if (isSearchExhausted(e)) { this.lastNoTrial = 'exhausted'; return null; }
      throw e;
    }
    const created = await this.store.createTrial(this.id, { params: sample.params, sequenceIndex: sample.sequenceIndex, worker: this.worker, maxTrials: o.maxTrials });
    if (!created) { this.lastNoTrial = 'budget'; return null; }
    return this.started(created);
  }

  private started(record: TrialRecord): Trial {
    this.active.add(record.id);
    this.track();
    const t = new Trial(this, record);
    Object.assign(t.intermediate, record.intermediate);
    return t;
  }

  /**
   * Ends a trial: a number completes it (NaN or Infinity fails it, as in Optuna), `'pruned'`
   * records its last intermediate value, `'failed'` records the error. Returns false when the
   * trial had already been failed by another worker (its heartbeat went stale).
   */
  async tell(trial: Trial, result: number | 'pruned' | { failed: string }): Promise<boolean> {
    this.active.delete(trial.id);
    this.track();
    if (result === 'pruned') return this.store.finishTrial(trial.id, 'pruned', trial.lastValue() ?? null);
    if (typeof result === 'object') return this.store.finishTrial(trial.id, 'failed', null, result.failed);
    if (!Number.isFinite(result)) return this.store.finishTrial(trial.id, 'failed', null, `the objective returned ${result}`);
    return this.store.finishTrial(trial.id, 'complete', result);
  }

  /**
   * Runs the objective on new trials until the budget, the timeout or the search space runs
   * out, then waits for other workers' trials, so a trial re-queued after a worker died is run
   * here rather than lost. An objective that throws TrialPruned ends its trial as pruned; any
   * other error fails the trial and the study goes on (the first three trials of this process
   * all failing is taken as a bug and rethrown).
   */
  async optimize(objective: Objective, o: OptimizeOptions = {}): Promise<{ ran: number; stoppedBy: NoTrialReason | 'timeout' }> {
    const workers = o.workers ?? 1;
    if (!Number.isInteger(workers) || workers < 1) throw new RangeError(`optimize: workers must be a whole number >= 1, got ${workers}`);
    if (o.trials !== undefined && (!Number.isInteger(o.trials) || o.trials < 1)) throw new RangeError(`optimize: trials must be a whole number >= 1, got ${o.trials}`);
    const deadline = o.timeout !== undefined ? Date.now() + o.timeout * 1000 : Infinity;
    const pollMs = o.pollMs ?? Math.min(1000, this.beat?.intervalMs ?? 1000);
    let ran = 0, failures = 0, stoppedBy: NoTrialReason | 'timeout' = 'budget';
    let firstError: unknown = null;
    const loop = async (): Promise<void> => {
      for (;;) {
        if (Date.now() >= deadline) { stoppedBy = 'timeout'; return; }
        const trial = await this.ask({ maxTrials: o.trials });
        if (!trial) {
          stoppedBy = this.lastNoTrial ?? 'budget';
          // Another worker's trial may still die and be re-queued: wait while any runs elsewhere.
          const others = (await this.trials()).filter((t) => (t.state === 'running' && !this.active.has(t.id)) || t.state === 'waiting');
          if (others.length === 0 || !this.beat) return;
          await sleep(pollMs);
          continue;
        }
        try {
          const value = await objective(trial);
          await this.tell(trial, value);
        } catch (e) {
          if (e instanceof TrialPruned) await this.tell(trial, 'pruned');
          else {
            await this.tell(trial, { failed: (e as Error)?.message ?? String(e) });
            failures++;
            firstError ??= e;
            if (failures === 3 && ran === 2) throw e;
          }
        }
        ran++;
        if (o.onTrialEnd) {
          const rec = (await this.trials()).find((t) => t.id === trial.id);
          if (rec) o.onTrialEnd(rec);
        }
      }
    };
    try {
      await Promise.all(Array.from({ length: workers }, loop));
    } finally {
      await this.stopHeartbeat();
    }
    return { ran, stoppedBy };
  }

  private async stopHeartbeat(): Promise<void> {
    const h = this.heartbeat;
    this.heartbeat = null;
    if (h) await h.stop();
  }

  async close(): Promise<void> {
    await this.stopHeartbeat();
    await this.store.close();
  }
}

/**
 * Creates a study in the store, or joins the study of that name if it exists (the same call on
 * several machines with one PostgreSQL URL makes them workers of one study). Joining with a
 * different direction or search space is an error: the trials would not be comparable.
 */
export async function createStudy(o: CreateStudyOptions): Promise<Study> {
  if (!o.name || !/^[A-Za-z0-9_.-]+$/.test(o.name)) throw new TypeError(`createStudy: name must be letters, digits, '-', '_' or '.', got '${o.name}'`);
  const storage = o.storage ?? defaultStorage(o.name);
  const store = openStore(storage);
  try {
    const direction = o.direction ?? 'minimize';
    if (direction !== 'minimize' && direction !== 'maximize') throw new TypeError(`createStudy: direction must be 'minimize' or 'maximize', got '${String(direction)}'`);
    const sampler = o.sampler ?? defaultSampler();
    const rec = await store.createStudy({ name: o.name, direction, space: o.space, sampler: sampler.name, pruner: o.pruner?.name ?? 'none', settings: o.settings });
    if (rec.direction !== direction) throw new Error(`study '${o.name}' in ${store.location} maximizes/minimizes differently (${rec.direction}); pick another --study name`);
    if (JSON.stringify(rec.space) !== JSON.stringify(o.space)) {
      throw new Error(`study '${o.name}' in ${store.location} has a different search space; pick another --study name, or delete it with \`tradecraft study delete ${o.name}\``);
    }
    const beat = o.heartbeat === false ? null : resolveHeartbeat(o.heartbeat ?? {});
    return new Study(rec.id, rec.name, rec.direction, rec.space, store, storage, sampler, o.pruner ?? null, beat);
  } catch (e) {
    await store.close();
    throw e;
  }
}

/** Opens an existing study for reading (list, show, export); throws when it does not exist. */
export async function loadStudy(name: string, storage?: string): Promise<Study> {
  const store = openStore(storage ?? defaultStorage(name));
  const rec = await store.getStudy(name);
  if (!rec) {
    await store.close();
    throw new Error(`no study '${name}' in ${store.location}; \`tradecraft study list\` shows the studies there`);
  }
  return new Study(rec.id, rec.name, rec.direction, rec.space, store, storage ?? defaultStorage(name), defaultSampler(), null, null);
}
