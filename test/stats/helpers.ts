// Shared assertions for the stats tests (not a test file itself).
import assert from 'node:assert/strict';

/** Asserts |actual - expected| <= tol (default: agreement to 4 decimals). */
export function near(actual: number, expected: number, what: string, tol = 5e-5): void {
  if (!(Math.abs(actual - expected) <= tol)) {
    assert.fail(`${what}: got ${actual}, expected ${expected} (tolerance ${tol})`);
  }
}

/** Asserts that fn throws an Error whose message contains every one of `parts`. */
export function throwsWith(fn: () => unknown, parts: string[]): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(err instanceof Error, 'expected an Error');
    for (const p of parts) assert.ok(err.message.includes(p), `message "${err.message}" should contain "${p}"`);
    return true;
  });
}
