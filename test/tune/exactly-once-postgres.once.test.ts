import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { requireExternal, hasPostgres } from '../external.js';
import { tempDir } from '../helpers.js';
import { startPostgres } from './postgres-server.js';
import { gridStudyWithKill, assertExactlyOnce } from './grid-study.js';
import { openStore } from '../../src/tune/study/open-store.js';

test('exactly once on PostgreSQL: a 40-point grid with 2 worker processes sharing one server, one SIGKILLed mid-trial; then `tune` from two "machines" joins one study', async (t) => {
  if (!requireExternal(t, 'PostgreSQL', hasPostgres(), 'apt-get install postgresql')) return;
  const pg = await startPostgres();
  try {
    const { trials, killed } = await gridStudyWithKill(pg.url, 'grid', 2, 100);
    assertExactlyOnce(trials, killed);

    // Two separate `tune` commands (separate folders, as on two machines) with the same URL and study name.
    const bin = resolve('bin/tradecraft.js');
    const args = ['tune', 'mnist-mlp', '--storage', pg.url, '--study', 'shared', '--trials', '2', '--sampler', 'sobol', '--pruner', 'none',
      '--epochs', '1', '--set', 'limitTrain=500', '--set', 'valSize=100', '--set', 'limitTest=100', '--json'];
    const run = () => new Promise<{ code: number | null; out: string; err: string }>((res) => {
      const p = spawn(process.execPath, [bin, ...args], { cwd: tempDir('tc-pg-machine-'), env: { ...process.env, TRADECRAFT_QUIET: '1' } });
      let out = '', err = '';
      p.stdout.on('data', (d) => { out += String(d); });
      p.stderr.on('data', (d) => { err += String(d); });
      p.on('exit', (code) => res({ code, out, err }));
    });
    const [a, b] = await Promise.all([run(), run()]);
    assert.equal(a.code, 0, a.err);
    assert.equal(b.code, 0, b.err);
    const store = openStore(pg.url);
    try {
      const s = (await store.getStudy('shared'))!;
      const all = await store.trials(s.id);
      assert.equal(all.length, 2, 'the budget of 2 holds across both commands');
      assert.deepEqual(all.map((x) => x.sequenceIndex).sort(), [0, 1], 'each Sobol point once');
      assert.equal(all.filter((x) => x.state === 'complete').length, 2);
    } finally {
      await store.close();
    }
  } finally {
    pg.stop();
  }
});
