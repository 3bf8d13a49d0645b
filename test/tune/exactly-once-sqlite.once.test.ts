import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { tempDir } from '../helpers.js';
import { gridStudyWithKill, assertExactlyOnce } from './grid-study.js';

test('exactly once on SQLite: a 40-point grid with 4 worker processes, one SIGKILLed mid-trial', async () => {
  const dir = tempDir('tc-study-sqlite-');
  const { trials, killed } = await gridStudyWithKill(join(dir, 'grid', 'study.db'), 'grid', 4, 150);
  assertExactlyOnce(trials, killed);
});

test('a study resumes after every worker was SIGKILLed: a new worker re-queues the dead trials and finishes the grid', async () => {
  const { spawn } = await import('node:child_process');
  const { openStore } = await import('../../src/tune/study/open-store.js');
  const storage = join(tempDir('tc-study-resume-'), 'g', 'study.db');
  const worker = new URL('./fixtures/grid-worker.js', import.meta.url).pathname;
  // The first two workers' third trials stop after their first report (grid-worker's fourth
  // argument), so both kills land inside a trial, never just after one completed.
  const start = (hang: string[] = []) => spawn(process.execPath, [worker, storage, 'g', '60', ...hang], { stdio: 'ignore' });
  const first = [start(['3']), start(['3'])];
  const reader = openStore(storage);
  try {
    const inThird = (trials: Awaited<ReturnType<typeof reader.trials>>, pid: number | undefined) => {
      const own = trials.filter((t) => t.worker?.split(':')[1] === String(pid));
      return own.filter((t) => t.state === 'complete').length >= 2 && own.some((t) => t.state === 'running' && t.intermediate[1] !== undefined);
    };
    for (const t0 = Date.now(); Date.now() - t0 < 30_000;) {
      const s = await reader.getStudy('g').catch(() => null);
      const trials = s ? await reader.trials(s.id) : [];
      if (first.every((p) => inThird(trials, p.pid))) break;
      await new Promise((r) => setTimeout(r, 10));
    }
    for (const p of first) p.kill('SIGKILL');
    await Promise.all(first.map((p) => new Promise((r) => p.once('exit', r))));
    const second = start();
    const code = await new Promise((r) => second.once('exit', r));
    assert.equal(code, 0);
    const trials = await reader.trials((await reader.getStudy('g'))!.id);
    const complete = trials.filter((t) => t.state === 'complete');
    assert.deepEqual(complete.map((t) => t.sequenceIndex).sort((a, b) => a! - b!), Array.from({ length: 40 }, (_, i) => i), 'all 40 points, each once');
    const failed = trials.filter((t) => t.state === 'failed');
    assert.ok(failed.length >= 2, `the killed workers' trials were failed (${failed.map((t) => t.number)})`);
    for (const f of failed) assert.equal(trials.find((t) => t.retryOf === f.number)?.state, 'complete', `trial ${f.number} was re-run`);
    assert.equal(trials.length, 40 + failed.length);
  } finally {
    await reader.close();
  }
});
