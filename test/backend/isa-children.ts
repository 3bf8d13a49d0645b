// Native kernels must give the same bits on every instruction set the CPU runs and on 1 and 2
// threads, and TRADECRAFT_ISA / TRADECRAFT_THREADS are read once at load: so a test file that
// checks a kernel re-runs itself in a child process per setting. This is that parent's loop.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { NATIVE_ISAS } from '../../src/backend/native.js';

/** The instruction sets `describe` (the native backend's) says this CPU runs, lowest first. */
export function usableIsas(describe: string): string[] {
  const all = NATIVE_ISAS;
  const best = /^native \((\w+),/.exec(describe)![1];
  return all.slice(0, all.indexOf(best) + 1);
}

/**
 * Runs `file` (a test file) in a child for every usable instruction set and 1 and 2 threads,
 * with `childFlag` set so that the child runs only its cases, and asserts each child passed
 * `passes` tests.
 */
export function rerunPerIsaAndThreads(file: string, childFlag: string, describe: string, passes: number): void {
  for (const isa of usableIsas(describe))
    for (const threads of ['1', '2']) {
      // Without the runner's NODE_TEST_CONTEXT the child reports in plain TAP, not to this runner.
      const { NODE_TEST_CONTEXT: _, ...env } = process.env;
      const r = spawnSync(process.execPath, [file], {
        env: { ...env, [childFlag]: '1', TRADECRAFT_ISA: isa, TRADECRAFT_THREADS: threads },
        encoding: 'utf8',
      });
      assert.equal(r.status, 0, `TRADECRAFT_ISA=${isa} TRADECRAFT_THREADS=${threads}:\n${r.stdout}\n${r.stderr}`);
      assert.match(r.stdout, new RegExp(`# pass ${passes}\\b`), `${isa}/${threads}: the child did not pass its ${passes} test(s):\n${r.stdout}`);
    }
}
