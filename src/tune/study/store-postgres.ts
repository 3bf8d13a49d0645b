import { createRequire } from 'node:module';
import type pg from 'pg';

// Loaded on first use, like the SQLite driver (store-sqlite.ts): not in every process that imports the package.
const loadPg = (): typeof pg => createRequire(import.meta.url)('pg') as typeof pg;
import type { Params } from '../types.js';
import {
  SCHEMA_VERSION, COUNTS_TOWARD_BUDGET, emptyCounts, trialFromRow,
  type StudyStore, type StudySpec, type StudyRecord, type StudySummary, type NewTrial, type TrialRecord, type TrialRow,
} from './store.js';
import { schemaStatements, checkSchemaVersion } from './schema.js';

/** The server's clock in ms: every machine measures heartbeat age against the same clock. */
const NOW_MS = `(extract(epoch from clock_timestamp()) * 1000)::bigint`;

interface StudyRow { id: number; name: string; direction: string; space: string; sampler: string; pruner: string; settings: string; created_at: string }

/**
 * The PostgreSQL study store, for workers on several machines. Trial numbers, sequence indices
 * and re-queues are decided while holding the study's row lock (SELECT ... FOR UPDATE), so two
 * workers cannot number two trials alike; a re-queued trial is claimed with FOR UPDATE SKIP
 * LOCKED, so two workers never take the same one and neither waits for the other.
 */
export class PostgresStudyStore implements StudyStore {
  readonly location: string;
  private pool: pg.Pool;
  private ready: Promise<void>;

  constructor(url: string) {
    this.location = url.replace(/\/\/([^:/@]+):[^@]*@/, '//$1:***@');
    this.pool = new (loadPg().Pool)({ connectionString: url, max: 4 });
    // An idle client that loses its server (restart, network) must not crash the worker; the next query reconnects.
    this.pool.on('error', () => {});
    this.ready = this.tx(async (c) => {
      // Two workers starting at once must not both create the tables.
      await c.query(`SELECT pg_advisory_xact_lock(hashtext('tradecraft-study-schema'))`);
      const meta = await c.query(`SELECT to_regclass('meta') AS t`);
      if (meta.rows[0].t) {
        const v = await c.query(`SELECT value FROM meta WHERE key = 'schema_version'`);
        checkSchemaVersion(v.rows[0]?.value, SCHEMA_VERSION, this.location);
      }
      for (const s of schemaStatements({ serial: 'SERIAL', float: 'DOUBLE PRECISION', bigint: 'BIGINT' })) await c.query(s);
      await c.query(`INSERT INTO meta (key, value) VALUES ('schema_version', $1) ON CONFLICT (key) DO NOTHING`, [String(SCHEMA_VERSION)]);
    });
    this.ready.catch(() => {});
  }

  private async tx<T>(fn: (c: pg.PoolClient) => Promise<T>): Promise<T> {
    const c = await this.pool.connect();
    try {
      await c.query('BEGIN');
      const out = await fn(c);
      await c.query('COMMIT');
      return out;
    } catch (e) {
      await c.query('ROLLBACK').catch(() => {});
      throw e;
    } finally {
      c.release();
    }
  }

  private async q(text: string, values: unknown[] = []): Promise<pg.QueryResult> {
    await this.ready;
    return this.pool.query(text, values);
  }

  private study(row: StudyRow): StudyRecord {
    return {
      id: Number(row.id), name: row.name, direction: row.direction as StudyRecord['direction'], space: JSON.parse(row.space),
      sampler: row.sampler, pruner: row.pruner, settings: JSON.parse(row.settings), createdAt: Number(row.created_at),
    };
  }

  async createStudy(spec: StudySpec): Promise<StudyRecord> {
    await this.q(`INSERT INTO studies (name, direction, space, sampler, pruner, settings, created_at) VALUES ($1, $2, $3, $4, $5, $6, ${NOW_MS})
      ON CONFLICT (name) DO NOTHING`, [spec.name, spec.direction, JSON.stringify(spec.space), spec.sampler, spec.pruner, JSON.stringify(spec.settings ?? {})]);
    return (await this.getStudy(spec.name))!;
  }

  async getStudy(name: string): Promise<StudyRecord | null> {
    const r = await this.q('SELECT * FROM studies WHERE name = $1', [name]);
    return r.rows[0] ? this.study(r.rows[0] as StudyRow) : null;
  }

  async listStudies(): Promise<StudySummary[]> {
    const studies = (await this.q('SELECT * FROM studies ORDER BY created_at')).rows as StudyRow[];
    const out: StudySummary[] = [];
    for (const s of studies) {
      const counts = emptyCounts();
      for (const r of (await this.q('SELECT state, COUNT(*) AS n FROM trials WHERE study_id = $1 GROUP BY state', [s.id])).rows) counts[r.state as keyof typeof counts] = Number(r.n);
      const agg = s.direction === 'maximize' ? 'MAX' : 'MIN';
      const best = (await this.q(`SELECT ${agg}(value) AS v FROM trials WHERE study_id = $1 AND state = 'complete'`, [s.id])).rows[0].v;
      out.push({ name: s.name, direction: s.direction as StudySummary['direction'], createdAt: Number(s.created_at), counts, best: best === null ? null : Number(best) });
    }
    return out;
  }

  async deleteStudy(name: string): Promise<boolean> {
    return ((await this.q('DELETE FROM studies WHERE name = $1', [name])).rowCount ?? 0) > 0;
  }

  private async lockStudy(c: pg.PoolClient, studyId: number): Promise<void> {
    const r = await c.query('SELECT id FROM studies WHERE id = $1 FOR UPDATE', [studyId]);
    if (r.rowCount === 0) throw new Error(`study ${studyId} no longer exists in ${this.location} (deleted while workers ran?)`);
  }

  private async nextNumber(c: pg.PoolClient, studyId: number): Promise<number> {
    return Number((await c.query('SELECT COALESCE(MAX(number), -1) + 1 AS n FROM trials WHERE study_id = $1', [studyId])).rows[0].n);
  }

  async claimSequenceIndex(studyId: number, worker: string, orphanMs: number): Promise<number> {
    await this.ready;
    return this.tx(async (c) => {
      await this.lockStudy(c, studyId);
      const orphan = await c.query(`SELECT idx FROM sequence_claims WHERE study_id = $1 AND trial_id IS NULL AND claimed_at < ${NOW_MS} - $2
        ORDER BY idx LIMIT 1 FOR UPDATE SKIP LOCKED`, [studyId, orphanMs]);
      if (orphan.rows[0]) {
        const idx = Number(orphan.rows[0].idx);
        await c.query(`UPDATE sequence_claims SET worker = $1, claimed_at = ${NOW_MS} WHERE study_id = $2 AND idx = $3`, [worker, studyId, idx]);
        return idx;
      }
      const next = Number((await c.query('SELECT COALESCE(MAX(idx), -1) + 1 AS n FROM sequence_claims WHERE study_id = $1', [studyId])).rows[0].n);
      await c.query(`INSERT INTO sequence_claims (study_id, idx, worker, claimed_at) VALUES ($1, $2, $3, ${NOW_MS})`, [studyId, next, worker]);
      return next;
    });
  }

  async createTrial(studyId: number, t: NewTrial): Promise<TrialRecord | null> {
    await this.ready;
    return this.tx(async (c) => {
      await this.lockStudy(c, studyId);
      if (t.maxTrials !== undefined) {
        const used = Number((await c.query(`SELECT COUNT(*) AS n FROM trials WHERE study_id = $1 AND ${COUNTS_TOWARD_BUDGET}`, [studyId])).rows[0].n);
        if (used >= t.maxTrials) return null;
      }
      const number = await this.nextNumber(c, studyId);
      const r = await c.query(`INSERT INTO trials (study_id, number, state, params, sequence_index, worker, started_at, heartbeat_at)
        VALUES ($1, $2, 'running', $3, $4, $5, ${NOW_MS}, ${NOW_MS}) RETURNING *`, [studyId, number, JSON.stringify(t.params), t.sequenceIndex ?? null, t.worker]);
      const row = r.rows[0] as TrialRow;
      if (t.sequenceIndex !== undefined) await c.query('UPDATE sequence_claims SET trial_id = $1 WHERE study_id = $2 AND idx = $3', [row.id, studyId, t.sequenceIndex]);
      return trialFromRow(row);
    });
  }

  async claimWaiting(studyId: number, worker: string): Promise<TrialRecord | null> {
    await this.ready;
    return this.tx(async (c) => {
      const r = await c.query(`UPDATE trials SET state = 'running', worker = $2, started_at = ${NOW_MS}, heartbeat_at = ${NOW_MS}
        WHERE id = (SELECT id FROM trials WHERE study_id = $1 AND state = 'waiting' ORDER BY number LIMIT 1 FOR UPDATE SKIP LOCKED)
        RETURNING *`, [studyId, worker]);
      if (!r.rows[0]) return null;
      const row = r.rows[0] as TrialRow;
      const inter: Record<number, number> = {};
      for (const i of (await c.query('SELECT step, value FROM intermediate WHERE trial_id = $1', [row.id])).rows) inter[Number(i.step)] = Number(i.value);
      return trialFromRow(row, inter);
    });
  }

  async enqueueTrial(studyId: number, params: Params): Promise<number> {
    await this.ready;
    return this.tx(async (c) => {
      await this.lockStudy(c, studyId);
      const number = await this.nextNumber(c, studyId);
      await c.query(`INSERT INTO trials (study_id, number, state, params) VALUES ($1, $2, 'waiting', $3)`, [studyId, number, JSON.stringify(params)]);
      return number;
    });
  }

  /**
   * One statement (beat the heartbeat of a running trial, record the value if it was running), in
   * a transaction whose commit does not wait for the WAL flush (`synchronous_commit = off`): the
   * durable commit's fsync was nearly all of a report's time. A server crash can lose the last
   * few hundred milliseconds of reports, never a finished trial (finishing is a durable commit,
   * and flushing it flushes every earlier report too) and never consistency; a lost value is
   * one fewer point on a curve, which pruning and resuming tolerate.
   */
  async reportIntermediate(trialId: number, step: number, value: number): Promise<void> {
    await this.ready;
    await this.tx(async (c) => {
      await c.query('SET LOCAL synchronous_commit = off');
      await c.query(`WITH beat AS (UPDATE trials SET heartbeat_at = ${NOW_MS} WHERE id = $1 AND state = 'running' RETURNING id)
        INSERT INTO intermediate (trial_id, step, value) SELECT id, $2, $3 FROM beat
        ON CONFLICT (trial_id, step) DO UPDATE SET value = EXCLUDED.value`, [trialId, step, value]);
    });
  }

  async setAttrs(trialId: number, attrs: Record<string, unknown>): Promise<void> {
    await this.ready;
    await this.tx(async (c) => {
      const row = (await c.query('SELECT attrs FROM trials WHERE id = $1 FOR UPDATE', [trialId])).rows[0] as { attrs: string | null } | undefined;
      const merged = { ...(row?.attrs ? JSON.parse(row.attrs) : {}), ...attrs };
      await c.query('UPDATE trials SET attrs = $1 WHERE id = $2', [JSON.stringify(merged), trialId]);
    });
  }

  async finishTrial(trialId: number, state: 'complete' | 'pruned' | 'failed', value: number | null, error?: string): Promise<boolean> {
    const r = await this.q(`UPDATE trials SET state = $1, value = $2, error = $3, finished_at = ${NOW_MS} WHERE id = $4 AND state = 'running'`,
      [state, value, error ?? null, trialId]);
    return (r.rowCount ?? 0) > 0;
  }

  async heartbeat(trialIds: readonly number[]): Promise<void> {
    if (trialIds.length === 0) return;
    await this.q(`UPDATE trials SET heartbeat_at = ${NOW_MS} WHERE id = ANY($1::int[]) AND state = 'running'`, [trialIds]);
  }

  async reapStale(studyId: number, graceMs: number, maxRetries: number): Promise<number[]> {
    await this.ready;
    return this.tx(async (c) => {
      // Cheap check first, so healthy studies do not queue on the study lock every few seconds.
      const any = await c.query(`SELECT 1 FROM trials WHERE study_id = $1 AND state = 'running' AND heartbeat_at < ${NOW_MS} - $2 LIMIT 1`, [studyId, graceMs]);
      if (!any.rows[0]) return [];
      await this.lockStudy(c, studyId);
      const stale = (await c.query(`SELECT * FROM trials WHERE study_id = $1 AND state = 'running' AND heartbeat_at < ${NOW_MS} - $2 FOR UPDATE SKIP LOCKED`,
        [studyId, graceMs])).rows as TrialRow[];
      for (const r of stale) {
        const requeue = Number(r.retries) < maxRetries;
        await c.query(`UPDATE trials SET state = 'failed', finished_at = ${NOW_MS}, requeued = $1, error = $2 WHERE id = $3`,
          [requeue ? 1 : 0, `worker ${r.worker} stopped beating for ${Math.round(graceMs / 1000)}s; marked failed${requeue ? ' and re-queued' : ''}`, r.id]);
        if (!requeue) continue;
        const number = await this.nextNumber(c, studyId);
        await c.query(`INSERT INTO trials (study_id, number, state, params, sequence_index, retry_of, retries) VALUES ($1, $2, 'waiting', $3, $4, $5, $6)`,
          [studyId, number, r.params, r.sequence_index, r.number, Number(r.retries) + 1]);
      }
      return stale.map((r) => Number(r.number));
    });
  }

  async trials(studyId: number): Promise<TrialRecord[]> {
    await this.ready;
    return this.tx(async (c) => {
      await c.query('SET TRANSACTION ISOLATION LEVEL REPEATABLE READ');
      const rows = (await c.query('SELECT * FROM trials WHERE study_id = $1 ORDER BY number', [studyId])).rows as TrialRow[];
      const inter = new Map<number, Record<number, number>>();
      const res = await c.query({ text: 'SELECT i.trial_id, i.step, i.value FROM intermediate i JOIN trials t ON t.id = i.trial_id WHERE t.study_id = $1', values: [studyId], rowMode: 'array' });
      for (const [t, s, v] of res.rows as Array<[number, number, number]>) {
        let m = inter.get(Number(t));
        if (!m) inter.set(Number(t), (m = {}));
        m[Number(s)] = Number(v);
      }
      return rows.map((r) => trialFromRow(r, inter.get(Number(r.id)) ?? {}));
    });
  }

  async trialRows(studyId: number): Promise<TrialRecord[]> {
    return ((await this.q('SELECT * FROM trials WHERE study_id = $1 ORDER BY number', [studyId])).rows as TrialRow[]).map((r) => trialFromRow(r));
  }

  async intermediates(trialIds: readonly number[]): Promise<Map<number, Record<number, number>>> {
    const out = new Map<number, Record<number, number>>();
    if (trialIds.length === 0) return out;
    const res = await this.q('SELECT trial_id, step, value FROM intermediate WHERE trial_id = ANY($1::int[])', [trialIds]);
    for (const r of res.rows as Array<{ trial_id: number; step: number; value: number }>) {
      let m = out.get(Number(r.trial_id));
      if (!m) out.set(Number(r.trial_id), (m = {}));
      m[Number(r.step)] = Number(r.value);
    }
    return out;
  }

  private closed = false;

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.ready.catch(() => {});
    await this.pool.end();
  }
}
