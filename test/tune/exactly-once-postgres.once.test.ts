import { test } from 'node:test';
import { requireExternal, hasPostgres } from '../external.js';
import { startPostgres } from './postgres-server.js';
import { gridStudyWithKill, assertExactlyOnce } from './grid-study.js';

test('exactly once on PostgreSQL: a 40-point grid with 2 worker processes sharing one server, one SIGKILLed mid-trial', async (t) => {
  if (!requireExternal(t, 'PostgreSQL', hasPostgres(), 'apt-get install postgresql')) return;
  const pg = await startPostgres();
  try {
    const { trials, killed } = await gridStudyWithKill(pg.url, 'grid', 2, 100);
    assertExactlyOnce(trials, killed);
  } finally {
    pg.stop();
  }
});
