// The PostgreSQL store's intermediate values: one statement in a transaction that commits
// without waiting for the WAL flush. It must keep the SQLite store's meaning (recorded only for a
// running trial, a repeated step overwrites, the report beats the heartbeat) and must not leak
// the relaxed commit into the pooled connections that later record finished trials.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import { requireExternal, hasPostgres } from '../external.js';
import { startPostgres } from './postgres-server.js';
import { PostgresStudyStore } from '../../src/tune/study/store-postgres.js';
import type { SearchSpace } from '../../src/tune/types.js';

const space: SearchSpace = { x: { type: 'float', low: 0, high: 1 } };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

test('PostgreSQL store: reports record values of running trials only, beat the heartbeat, and leave commits durable', async (t) => {
  if (!requireExternal(t, 'PostgreSQL', hasPostgres(), 'apt-get install postgresql')) return;
  const server = await startPostgres();
  const store = new PostgresStudyStore(server.url);
  const probe = new pg.Client({ connectionString: server.url });
  try {
    const s = await store.createStudy({ name: 'r', direction: 'minimize', space, sampler: 'random', pruner: 'none' });
    const a = (await store.createTrial(s.id, { params: { x: 0.1 }, worker: 'w' }))!;
    const before = (await store.trials(s.id))[0].heartbeatAt!;
    await sleep(20);
    await store.reportIntermediate(a.id, 1, 0.5);
    await store.reportIntermediate(a.id, 2, 0.25);
    await store.reportIntermediate(a.id, 2, 0.2);
    let [row] = await store.trials(s.id);
    assert.deepEqual(row.intermediate, { 1: 0.5, 2: 0.2 }, 'a repeated step overwrites');
    assert.ok(row.heartbeatAt! >= before + 20, `heartbeat ${row.heartbeatAt} not beaten (was ${before})`);
    assert.equal(await store.finishTrial(a.id, 'complete', 0.2), true);
    await store.reportIntermediate(a.id, 3, 0.1);
    [row] = await store.trials(s.id);
    assert.deepEqual(row.intermediate, { 1: 0.5, 2: 0.2 }, 'a finished trial takes no more values');
    assert.equal(row.state, 'complete');
    // Every pooled connection (the pool holds up to 4) is back to durable commits after reports.
    await Promise.all([1, 2, 3, 4, 5, 6].map((k) => store.reportIntermediate(a.id, 10 + k, k)));
    const settings = await Promise.all([0, 1, 2, 3].map(() => (store as unknown as { pool: pg.Pool }).pool.query('SHOW synchronous_commit')));
    assert.deepEqual(settings.map((r) => r.rows[0].synchronous_commit), ['on', 'on', 'on', 'on']);
    await probe.connect();
    assert.equal((await probe.query('SELECT count(*)::int AS n FROM intermediate')).rows[0].n, 2, 'nothing recorded for the finished trial');
  } finally {
    await probe.end().catch(() => {});
    await store.close();
    server.stop();
  }
});
