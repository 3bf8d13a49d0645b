// Strict broadcasting: catching (N) * (N, 1) -> (N, N), the classic silent shape bug, while
// leaving ordinary broadcasts such as a bias add alone.
import { test, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { selectBackend } from '../../src/backend/select.js';
import { zeros, ones, setBroadcastMode, getBroadcastMode, ShapeError } from '../../src/core.js';
import { setBroadcastWarningSink } from '../../src/tensor/broadcast-mode.js';

await selectBackend();

afterEach(() => setBroadcastMode('off'));

test("the default mode is 'off': (16) * (16, 1) silently gives (16, 16)", () => {
  assert.equal(getBroadcastMode(), 'off');
  assert.deepEqual(zeros([16]).mul(zeros([16, 1])).shape, [16, 16]);
});

test("'error' throws for (16) * (16, 1), naming the op, both shapes and the result", () => {
  setBroadcastMode('error');
  assert.equal(getBroadcastMode(), 'error');
  assert.throws(() => ones([16]).mul(ones([16, 1])), (e: unknown) => {
    assert.ok(e instanceof ShapeError);
    assert.match(e.message, /^broadcast: mul of shapes \(16,\) and \(16, 1\) gives \(16, 16\), larger than both inputs/);
    assert.match(e.message, /squeeze the \(N, 1\) tensor or unsqueeze the \(N\) one/);
    return true;
  });
  assert.throws(() => ones([8, 1]).sub(ones([8])), /sub of shapes \(8, 1\) and \(8,\) gives \(8, 8\)/);
});

test("'error' lets ordinary broadcasts through", () => {
  setBroadcastMode('error');
  assert.deepEqual(zeros([64, 256]).add(zeros([256])).shape, [64, 256], 'bias add');
  assert.deepEqual(zeros([4, 3, 8, 8]).mul(zeros([3, 1, 1])).shape, [4, 3, 8, 8], 'per-channel scale');
  assert.deepEqual(zeros([5, 1]).mul(zeros([5, 1])).shape, [5, 1], 'same shapes');
  assert.deepEqual(zeros([3, 1]).mul(zeros([1, 4])).shape, [3, 4], 'an outer product of equal ranks is explicit');
  assert.deepEqual(zeros([16]).mul(2).shape, [16], 'scalars');
});

test("'warn' reports through the sink once per site and still computes", () => {
  const messages: string[] = [];
  const restore = setBroadcastWarningSink((m) => messages.push(m));
  try {
    setBroadcastMode('warn');
    for (let i = 0; i < 3; i++) assert.deepEqual(zeros([16]).add(zeros([16, 1])).shape, [16, 16]);
    assert.equal(messages.length, 1, `expected one warning, got ${messages.length}`);
    assert.match(messages[0], /add of shapes \(16,\) and \(16, 1\) gives \(16, 16\)/);
    zeros([64, 256]).add(zeros([256]));
    assert.equal(messages.length, 1, 'a bias add does not warn');
    zeros([4, 1]).mul(zeros([4]));
    assert.equal(messages.length, 2, 'a different site warns once more');
    setBroadcastMode('warn'); // re-setting the mode forgets what was already reported
    zeros([16]).add(zeros([16, 1]));
    assert.equal(messages.length, 3);
  } finally {
    restore();
  }
});

test('setBroadcastMode rejects unknown modes', () => {
  assert.throws(() => setBroadcastMode('strict' as never), /expected 'off', 'warn' or 'error', got 'strict'/);
  assert.equal(getBroadcastMode(), 'off');
});
