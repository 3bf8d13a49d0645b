import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { openStore } from '../../src/tune/study/open-store.js';
import type { TrialRecord } from '../../src/tune/study/store.js';

const worker = new URL('./fixtures/grid-worker.js', import.meta.url).pathname;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function exited(p: ChildProcess): Promise<number | null> {
  return new Promise((res) => { if (p.exitCode !== null || p.signalCode !== null) res(p.exitCode); else p.once('exit', (code) => res(code)); });
}

/**
 * Runs the 40-point grid study with `workers` processes on one storage, SIGKILLs the first
 * worker while it is inside a trial (after its first report), waits for the others to finish,
 * and returns every trial plus the number of the killed trial. The first worker's second trial
 * stops after its first report (grid-worker's fourth argument), so the kill always lands inside
 * it: killing whatever trial was seen running could land after that trial had completed.
 */
export async function gridStudyWithKill(storage: string, name: string, workers: number, trialMs: number): Promise<{ trials: TrialRecord[]; killed: number; stderr: string }> {
  let stderr = '';
  const procs = Array.from({ length: workers }, (_, i) => {
    const args = [worker, storage, name, String(trialMs), ...(i === 0 ? ['2'] : [])];
    const p = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    p.stderr!.on('data', (d) => { stderr += String(d); });
    return p;
  });
  const victim = procs[0];
  const reader = openStore(storage);
  try {
    let killed = -1;
    const t0 = Date.now();
    while (killed < 0) {
      if (Date.now() - t0 > 30_000) throw new Error(`no trial of worker ${victim.pid} was seen mid-trial in 30 s; stderr: ${stderr}`);
      const study = await reader.getStudy(name).catch(() => null);
      if (study) {
        const trials = await reader.trials(study.id);
        const done = trials.filter((t) => t.state === 'complete').length;
        const victims = trials.filter((t) => t.worker?.split(':')[1] === String(victim.pid));
        // Its second trial, the one that never finishes: its first has completed.
        const mine = victims.find((t) => t.state === 'running' && t.intermediate[1] !== undefined);
        if (mine && done >= 4 && victims.some((t) => t.state === 'complete')) {
          victim.kill('SIGKILL');
          killed = mine.number;
          break;
        }
      }
      await sleep(20);
    }
    const codes = await Promise.all(procs.slice(1).map(exited));
    assert.deepEqual(codes, codes.map(() => 0), `surviving workers exit cleanly; stderr: ${stderr}`);
    await exited(victim);
    const study = (await reader.getStudy(name))!;
    return { trials: await reader.trials(study.id), killed, stderr };
  } finally {
    for (const p of procs) if (p.exitCode === null && p.signalCode === null) p.kill('SIGKILL');
    await reader.close();
  }
}

/** The exactly-once contract, asserted on the trials a grid study with one killed worker left behind. */
export function assertExactlyOnce(trials: TrialRecord[], killed: number): void {
  const complete = trials.filter((t) => t.state === 'complete');
  assert.equal(complete.length, 40, `40 grid points complete, got ${complete.length}: ${trials.map((t) => `${t.number}:${t.state}`).join(' ')}`);
  const indices = complete.map((t) => t.sequenceIndex!).sort((a, b) => a - b);
  assert.deepEqual(indices, Array.from({ length: 40 }, (_, i) => i), 'every grid point completed exactly once');
  const points = new Set(complete.map((t) => `${t.params.a},${t.params.b}`));
  assert.equal(points.size, 40, 'forty distinct parameter sets');
  for (const t of complete) assert.equal(t.value, Number(t.params.a) + 10 * Number(t.params.b), `trial ${t.number} value`);
  const numbers = trials.map((t) => t.number);
  assert.equal(new Set(numbers).size, numbers.length, 'no duplicate trial numbers');
  assert.deepEqual(numbers, Array.from({ length: trials.length }, (_, i) => i), 'trial numbers are 0..n-1 without gaps');

  const dead = trials.find((t) => t.number === killed)!;
  assert.equal(dead.state, 'failed', 'the killed trial is marked failed, not left running');
  assert.equal(dead.requeued, true);
  assert.match(dead.error ?? '', /stopped beating/);
  assert.equal(dead.intermediate[1], Number(dead.params.a), 'the failed trial keeps its intermediate value');
  const retry = trials.find((t) => t.retryOf === killed);
  assert.ok(retry, 'the killed trial was re-queued');
  assert.equal(retry.state, 'complete', 'and its re-run completed');
  assert.deepEqual(retry.params, dead.params);
  assert.equal(retry.sequenceIndex, dead.sequenceIndex);
  assert.equal(retry.retries, 1);
  assert.equal(trials.length, 41, 'nothing else was lost or run twice: 40 points + the one killed attempt');
  assert.equal(trials.filter((t) => t.state === 'running' || t.state === 'waiting').length, 0, 'nothing stays running');
}
