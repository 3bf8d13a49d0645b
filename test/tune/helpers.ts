// Shared pieces of the tune tests (not a test file itself).
import assert from 'node:assert/strict';
import { SeededRandom } from '../../src/stats/random.js';
import type { Direction, SampleContext } from '../../src/tune/index.js';

/** Asserts that fn throws an Error whose message contains every one of `parts`. */
export function throwsWith(fn: () => unknown, parts: string[]): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(err instanceof Error, 'expected an Error');
    for (const p of parts) assert.ok(err.message.includes(p), `message "${err.message}" should contain "${p}"`);
    return true;
  });
}

/** A sample context with a seeded source and an in-memory sequence counter (one store). */
export function memoryContext(seed: number, direction: Direction = 'minimize'): SampleContext & { claimed: number[] } {
  const rng = new SeededRandom(seed);
  let next = 0;
  const claimed: number[] = [];
  return {
    direction,
    random: () => rng.uniform(),
    claimed,
    // Yields before answering, so concurrent askers interleave as separate workers would.
    nextSequenceIndex: async () => { await Promise.resolve(); const i = next++; claimed.push(i); return i; },
  };
}

export const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : 0.5 * (s[m - 1] + s[m]);
};
