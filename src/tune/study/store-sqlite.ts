import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { createRequire } from 'node:module';
import type Database from 'better-sqlite3';

// Loaded on first use, not at import: importing the study API from the package's main entry
// must not load the SQLite addon into every training process (measured: with it loaded at
// import, the MLP training benchmark ran ~35% slower on the Zen 3 here).
const loadSqlite = (): typeof Database => createRequire(import.meta.url)('better-sqlite3') as typeof Database;
import type { Params } from '../types.js';
import {
  SCHEMA_VERSION, COUNTS_TOWARD_BUDGET, emptyCounts, trialFromRow,
  type StudyStore, type StudySpec, type StudyRecord, type StudySummary, type NewTrial, type TrialRecord, type TrialRow,
} from './store.js';
import { schemaStatements, checkSchemaVersion } from './schema.js';

/** How long a writer waits for another process's transaction before giving up (SQLite's busy timeout). */
const BUSY_TIMEOUT_MS = 60_000;

interface StudyRow { id: number; name: string; direction: string; space: string; sampler: string; pruner: string; settings: string; created_at: number }

/**
 * The SQLite study store. WAL lets readers run while one process writes; every write is a
 * BEGIN IMMEDIATE transaction, which takes the write lock up front (a deferred transaction that
 * upgrades from read to write can fail with SQLITE_BUSY immediately, whatever the timeout), and
 * the busy timeout makes a second writer wait instead of failing: local workers never see
 * "database is locked". better-sqlite3 is synchronous; the async interface is for PostgreSQL.
 */
export class SqliteStudyStore implements StudyStore {
  readonly location: string;
  private db: Database.Database;

  constructor(path: string) {
    this.location = resolve(path);
    mkdirSync(dirname(this.location), { recursive: true });
    this.db = new (loadSqlite())(this.location, { timeout: BUSY_TIMEOUT_MS });
    this.db.pragma('journal_mode = WAL');
    // NORMAL is durable across process crashes in WAL mode (only a power loss can drop the last commits).
    this.db.pragma('synchronous = NORMAL');
    this.db.pragma('foreign_keys = ON');
    this.write(() => {
      const hasMeta = this.db.prepare(`SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'meta'`).get();
      const found = hasMeta ? (this.db.prepare(`SELECT value FROM meta WHERE key = 'schema_version'`).get() as { value: string } | undefined)?.value : undefined;
      checkSchemaVersion(found, SCHEMA_VERSION, this.location);
      for (const s of schemaStatements({ serial: 'INTEGER', float: 'REAL', bigint: 'INTEGER' })) this.db.exec(s);
      this.db.prepare(`INSERT OR IGNORE INTO meta (key, value) VALUES ('schema_version', ?)`).run(String(SCHEMA_VERSION));
    });
  }

  private write<T>(fn: () => T): T {
    return this.db.transaction(fn).immediate();
  }

  private study(row: StudyRow): StudyRecord {
    return {
      id: row.id, name: row.name, direction: row.direction as StudyRecord['direction'], space: JSON.parse(row.space),
      sampler: row.sampler, pruner: row.pruner, settings: JSON.parse(row.settings), createdAt: row.created_at,
    };
  }

  async createStudy(spec: StudySpec): Promise<StudyRecord> {
    return this.write(() => {
      const existing = this.db.prepare('SELECT * FROM studies WHERE name = ?').get(spec.name) as StudyRow | undefined;
      if (existing) return this.study(existing);
      this.db.prepare('INSERT INTO studies (name, direction, space, sampler, pruner, settings, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)')
        .run(spec.name, spec.direction, JSON.stringify(spec.space), spec.sampler, spec.pruner, JSON.stringify(spec.settings ?? {}), Date.now());
      return this.study(this.db.prepare('SELECT * FROM studies WHERE name = ?').get(spec.name) as StudyRow);
    });
  }

  async getStudy(name: string): Promise<StudyRecord | null> {
    const row = this.db.prepare('SELECT * FROM studies WHERE name = ?').get(name) as StudyRow | undefined;
    return row ? this.study(row) : null;
  }

  async listStudies(): Promise<StudySummary[]> {
    const studies = this.db.prepare('SELECT * FROM studies ORDER BY created_at').all() as StudyRow[];
    return studies.map((s) => {
      const counts = emptyCounts();
      for (const r of this.db.prepare('SELECT state, COUNT(*) AS n FROM trials WHERE study_id = ? GROUP BY state').all(s.id) as Array<{ state: keyof typeof counts; n: number }>) counts[r.state] = r.n;
      const agg = s.direction === 'maximize' ? 'MAX' : 'MIN';
      const best = (this.db.prepare(`SELECT ${agg}(value) AS v FROM trials WHERE study_id = ? AND state = 'complete'`).get(s.id) as { v: number | null }).v;
      return { name: s.name, direction: s.direction as StudySummary['direction'], createdAt: s.created_at, counts, best };
    });
  }

  async deleteStudy(name: string): Promise<boolean> {
    return this.write(() => this.db.prepare('DELETE FROM studies WHERE name = ?').run(name).changes > 0);
  }

  async claimSequenceIndex(studyId: number, worker: string, orphanMs: number): Promise<number> {
    return this.write(() => {
      const now = Date.now();
      const orphan = this.db.prepare('SELECT idx FROM sequence_claims WHERE study_id = ? AND trial_id IS NULL AND claimed_at < ? ORDER BY idx LIMIT 1')
        .get(studyId, now - orphanMs) as { idx: number } | undefined;
      if (orphan) {
        this.db.prepare('UPDATE sequence_claims SET worker = ?, claimed_at = ? WHERE study_id = ? AND idx = ?').run(worker, now, studyId, orphan.idx);
        return orphan.idx;
      }
      const next = (this.db.prepare('SELECT COALESCE(MAX(idx), -1) + 1 AS n FROM sequence_claims WHERE study_id = ?').get(studyId) as { n: number }).n;
      this.db.prepare('INSERT INTO sequence_claims (study_id, idx, worker, claimed_at) VALUES (?, ?, ?, ?)').run(studyId, next, worker, now);
      return next;
    });
  }

  async createTrial(studyId: number, t: NewTrial): Promise<TrialRecord | null> {
    return this.write(() => {
      if (t.maxTrials !== undefined) {
        const used = (this.db.prepare(`SELECT COUNT(*) AS n FROM trials WHERE study_id = ? AND ${COUNTS_TOWARD_BUDGET}`).get(studyId) as { n: number }).n;
        if (used >= t.maxTrials) return null;
      }
      const number = (this.db.prepare('SELECT COALESCE(MAX(number), -1) + 1 AS n FROM trials WHERE study_id = ?').get(studyId) as { n: number }).n;
      const now = Date.now();
      const id = Number(this.db.prepare(`INSERT INTO trials (study_id, number, state, params, sequence_index, worker, started_at, heartbeat_at)
        VALUES (?, ?, 'running', ?, ?, ?, ?, ?)`).run(studyId, number, JSON.stringify(t.params), t.sequenceIndex ?? null, t.worker, now, now).lastInsertRowid);
      if (t.sequenceIndex !== undefined) this.db.prepare('UPDATE sequence_claims SET trial_id = ? WHERE study_id = ? AND idx = ?').run(id, studyId, t.sequenceIndex);
      return this.trialById(id);
    });
  }

  private trialById(id: number): TrialRecord {
    const row = this.db.prepare('SELECT * FROM trials WHERE id = ?').get(id) as TrialRow;
    const inter: Record<number, number> = {};
    for (const r of this.db.prepare('SELECT step, value FROM intermediate WHERE trial_id = ? ORDER BY step').all(id) as Array<{ step: number; value: number }>) inter[r.step] = r.value;
    return trialFromRow(row, inter);
  }

  async claimWaiting(studyId: number, worker: string): Promise<TrialRecord | null> {
    return this.write(() => {
      const row = this.db.prepare(`SELECT id FROM trials WHERE study_id = ? AND state = 'waiting' ORDER BY number LIMIT 1`).get(studyId) as { id: number } | undefined;
      if (!row) return null;
      const now = Date.now();
      this.db.prepare(`UPDATE trials SET state = 'running', worker = ?, started_at = ?, heartbeat_at = ? WHERE id = ?`).run(worker, now, now, row.id);
      return this.trialById(row.id);
    });
  }

  async enqueueTrial(studyId: number, params: Params): Promise<number> {
    return this.write(() => {
      const number = (this.db.prepare('SELECT COALESCE(MAX(number), -1) + 1 AS n FROM trials WHERE study_id = ?').get(studyId) as { n: number }).n;
      this.db.prepare(`INSERT INTO trials (study_id, number, state, params) VALUES (?, ?, 'waiting', ?)`).run(studyId, number, JSON.stringify(params));
      return number;
    });
  }

  async reportIntermediate(trialId: number, step: number, value: number): Promise<void> {
    this.write(() => {
      // Only a running trial records values: a finished one (perhaps failed by a reaper while its worker stalled) stays as it ended.
      this.db.prepare(`INSERT INTO intermediate (trial_id, step, value) SELECT ?, ?, ? WHERE EXISTS (SELECT 1 FROM trials WHERE id = ? AND state = 'running')
        ON CONFLICT (trial_id, step) DO UPDATE SET value = excluded.value`).run(trialId, step, value, trialId);
      this.db.prepare(`UPDATE trials SET heartbeat_at = ? WHERE id = ? AND state = 'running'`).run(Date.now(), trialId);
    });
  }

  async setAttrs(trialId: number, attrs: Record<string, unknown>): Promise<void> {
    this.write(() => {
      const row = this.db.prepare('SELECT attrs FROM trials WHERE id = ?').get(trialId) as { attrs: string | null } | undefined;
      const merged = { ...(row?.attrs ? JSON.parse(row.attrs) : {}), ...attrs };
      this.db.prepare('UPDATE trials SET attrs = ? WHERE id = ?').run(JSON.stringify(merged), trialId);
    });
  }

  async finishTrial(trialId: number, state: 'complete' | 'pruned' | 'failed', value: number | null, error?: string): Promise<boolean> {
    return this.write(() => this.db.prepare(`UPDATE trials SET state = ?, value = ?, error = ?, finished_at = ? WHERE id = ? AND state = 'running'`)
      .run(state, value, error ?? null, Date.now(), trialId).changes > 0);
  }

  async heartbeat(trialIds: readonly number[]): Promise<void> {
    if (trialIds.length === 0) return;
    this.write(() => {
      const now = Date.now();
      const stmt = this.db.prepare(`UPDATE trials SET heartbeat_at = ? WHERE id = ? AND state = 'running'`);
      for (const id of trialIds) stmt.run(now, id);
    });
  }

  async reapStale(studyId: number, graceMs: number, maxRetries: number): Promise<number[]> {
    return this.write(() => {
      const now = Date.now();
      const stale = this.db.prepare(`SELECT * FROM trials WHERE study_id = ? AND state = 'running' AND heartbeat_at < ?`).all(studyId, now - graceMs) as TrialRow[];
      for (const r of stale) {
        const requeue = Number(r.retries) < maxRetries;
        this.db.prepare(`UPDATE trials SET state = 'failed', finished_at = ?, requeued = ?, error = ? WHERE id = ?`)
          .run(now, requeue ? 1 : 0, `worker ${r.worker} stopped beating for ${Math.round(graceMs / 1000)}s; marked failed${requeue ? ' and re-queued' : ''}`, r.id);
        if (!requeue) continue;
        const number = (this.db.prepare('SELECT COALESCE(MAX(number), -1) + 1 AS n FROM trials WHERE study_id = ?').get(studyId) as { n: number }).n;
        this.db.prepare(`INSERT INTO trials (study_id, number, state, params, sequence_index, retry_of, retries) VALUES (?, ?, 'waiting', ?, ?, ?, ?)`)
          .run(studyId, number, r.params, r.sequence_index, r.number, Number(r.retries) + 1);
      }
      return stale.map((r) => Number(r.number));
    });
  }

  async trials(studyId: number): Promise<TrialRecord[]> {
    // One read transaction: a consistent snapshot of trials and their intermediate values.
    return this.db.transaction(() => {
      const rows = this.db.prepare('SELECT * FROM trials WHERE study_id = ? ORDER BY number').all(studyId) as TrialRow[];
      const inter = new Map<number, Record<number, number>>();
      const stmt = this.db.prepare('SELECT i.trial_id AS t, i.step AS s, i.value AS v FROM intermediate i JOIN trials t ON t.id = i.trial_id WHERE t.study_id = ?').raw();
      for (const [t, s, v] of stmt.iterate(studyId) as Iterable<[number, number, number]>) {
        let m = inter.get(t);
        if (!m) inter.set(t, (m = {}));
        m[s] = v;
      }
      return rows.map((r) => trialFromRow(r, inter.get(Number(r.id)) ?? {}));
    }).deferred();
  }

  async trialRows(studyId: number): Promise<TrialRecord[]> {
    return (this.db.prepare('SELECT * FROM trials WHERE study_id = ? ORDER BY number').all(studyId) as TrialRow[]).map((r) => trialFromRow(r));
  }

  async intermediates(trialIds: readonly number[]): Promise<Map<number, Record<number, number>>> {
    const out = new Map<number, Record<number, number>>();
    if (trialIds.length === 0) return out;
    const stmt = this.db.prepare('SELECT trial_id, step, value FROM intermediate WHERE trial_id IN (SELECT value FROM json_each(?))').raw();
    for (const [t, s, v] of stmt.iterate(JSON.stringify(trialIds)) as Iterable<[number, number, number]>) {
      let m = out.get(t);
      if (!m) out.set(t, (m = {}));
      m[s] = v;
    }
    return out;
  }

  async close(): Promise<void> {
    if (this.db.open) this.db.close();
  }
}
