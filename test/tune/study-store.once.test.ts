import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { tempDir } from '../helpers.js';
import { SqliteStudyStore } from '../../src/tune/study/store-sqlite.js';
import { createStudy } from '../../src/tune/study/study.js';
import { TrialPruned } from '../../src/tune/study/errors.js';
import { MedianPruner } from '../../src/tune/pruners/median.js';
import type { SearchSpace } from '../../src/tune/types.js';

const space: SearchSpace = { x: { type: 'float', low: -2, high: 2 } };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

test('SQLite store: trial budget, re-queue once with the same parameters, orphaned sequence indices handed out again', async () => {
  const path = join(tempDir('tc-store-'), 'study.db');
  const store = new SqliteStudyStore(path);
  const s = await store.createStudy({ name: 's', direction: 'minimize', space, sampler: 'random', pruner: 'none' });
  assert.equal((await store.createStudy({ name: 's', direction: 'minimize', space, sampler: 'random', pruner: 'none' })).id, s.id, 'joining returns the same study');
  const a = (await store.createTrial(s.id, { params: { x: 1 }, worker: 'w1', maxTrials: 2 }))!;
  const b = (await store.createTrial(s.id, { params: { x: 2 }, worker: 'w1', maxTrials: 2 }))!;
  assert.deepEqual([a.number, b.number], [0, 1]);
  assert.equal(await store.createTrial(s.id, { params: { x: 3 }, worker: 'w1', maxTrials: 2 }), null, 'the budget of 2 is used');
  await store.reportIntermediate(a.id, 1, 0.5);
  await sleep(30);
  await store.heartbeat([b.id]);
  assert.deepEqual(await store.reapStale(s.id, 20, 1), [0], 'only the trial without a recent heartbeat is failed');
  let trials = await store.trials(s.id);
  assert.equal(trials[0].state, 'failed');
  assert.deepEqual(trials[0].intermediate, { 1: 0.5 }, 'its intermediate values are kept');
  assert.deepEqual({ state: trials[2].state, params: trials[2].params, retryOf: trials[2].retryOf, retries: trials[2].retries }, { state: 'waiting', params: { x: 1 }, retryOf: 0, retries: 1 });
  assert.equal(await store.createTrial(s.id, { params: { x: 3 }, worker: 'w1', maxTrials: 2 }), null, 'the re-queued trial replaces the failed one in the budget');
  const again = (await store.claimWaiting(s.id, 'w2'))!;
  assert.equal(again.number, 2);
  assert.equal(await store.claimWaiting(s.id, 'w3'), null, 'a waiting trial is claimed once');
  await sleep(30);
  await store.heartbeat([b.id]);
  assert.deepEqual(await store.reapStale(s.id, 20, 1), [2]);
  trials = await store.trials(s.id);
  assert.equal(trials.length, 3, 'a configuration is re-queued at most once (maxRetries 1)');
  assert.equal(trials[2].requeued, false);
  assert.equal(await store.finishTrial(a.id, 'complete', 1), false, 'a trial failed by the reaper cannot be completed late');
  assert.equal(await store.finishTrial(b.id, 'complete', 4), true);

  assert.equal(await store.claimSequenceIndex(s.id, 'w1', 60_000), 0);
  assert.equal(await store.claimSequenceIndex(s.id, 'w1', 60_000), 1);
  await sleep(30);
  assert.equal(await store.claimSequenceIndex(s.id, 'w2', 20), 0, 'index 0 was claimed but never got a trial: it is handed out again');
  await store.createTrial(s.id, { params: { x: 0 }, sequenceIndex: 0, worker: 'w2' });
  await sleep(30);
  assert.equal(await store.claimSequenceIndex(s.id, 'w2', 20), 1);
  assert.equal(await store.claimSequenceIndex(s.id, 'w2', 20), 2, 'an index with a trial is never handed out again');
  await assert.rejects(store.createTrial(s.id, { params: { x: 0 }, sequenceIndex: 0, worker: 'w3' }), /UNIQUE/, 'the database itself refuses a second live trial at one point');
  await store.close();

  // Resume: everything is still there after the process lets go, and a newer schema is refused.
  const reopened = new SqliteStudyStore(path);
  assert.equal((await reopened.trials(s.id)).length, 4);
  await reopened.close();
  const raw = new Database(path);
  assert.equal((raw.pragma('journal_mode', { simple: true }) as string).toLowerCase(), 'wal');
  raw.prepare(`UPDATE meta SET value = '99' WHERE key = 'schema_version'`).run();
  raw.close();
  assert.throws(() => new SqliteStudyStore(path), /newer tradecraft \(study schema v99/);
});

test('optimize: pruned trials keep their last value, a failing objective fails only its trial, the budget is exact, and a study resumes', async () => {
  const storage = join(tempDir('tc-opt-'), 'q', 'study.db');
  const objective = async (t: { params: Record<string, unknown>; report(s: number, v: number): Promise<void>; shouldPrune(): Promise<boolean>; number: number }) => {
    const x = Number(t.params.x);
    if (t.number === 3) throw new Error('boom');
    for (let step = 1; step <= 3; step++) {
      await t.report(step, x * x + 1 / step);
      if (await t.shouldPrune()) throw new TrialPruned();
    }
    return x * x;
  };
  const study = await createStudy({ name: 'q', storage, space, direction: 'minimize', pruner: new MedianPruner({ startupTrials: 3 }) });
  const r = await study.optimize(objective, { trials: 12, workers: 3 });
  assert.equal(r.stoppedBy, 'budget');
  let trials = await study.trials();
  assert.equal(trials.length, 12);
  assert.equal(trials[3].state, 'failed');
  assert.equal(trials[3].error, 'boom');
  const pruned = trials.filter((t) => t.state === 'pruned');
  for (const t of pruned) assert.equal(t.value, t.intermediate[Math.max(...Object.keys(t.intermediate).map(Number))], 'a pruned trial records its last intermediate value');
  const best = (await study.bestTrial())!;
  assert.equal(best.value, Math.min(...trials.filter((t) => t.state === 'complete').map((t) => t.value!)));
  await study.close();
  const resumed = await createStudy({ name: 'q', storage, space, direction: 'minimize' });
  await resumed.optimize(objective, { trials: 15 });
  trials = await resumed.trials();
  assert.equal(trials.length, 15, 'resuming continues to the new total');
  await resumed.close();
  await assert.rejects(createStudy({ name: 'q', storage, space, direction: 'maximize' }), /differently/);
  await assert.rejects(createStudy({ name: 'q', storage, space: { y: space.x }, direction: 'minimize' }), /different search space/);
});
