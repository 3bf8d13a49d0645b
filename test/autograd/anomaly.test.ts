// Anomaly mode finds the first op that turns finite numbers into NaN/Inf, in forward or in
// backward, and points at the line of user code that called it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { selectBackend } from '../../src/backend/select.js';
import { tensor, detectAnomaly } from '../../src/core.js';
import { AnomalyError, isAnomalyEnabled } from '../../src/autograd/anomaly.js';

await selectBackend();

/** This file's name as it appears in stack frames (the compiled .js or the .ts source). */
const thisFile = /anomaly\.test\.(js|ts):\d+/;

test('log(0) in forward throws an AnomalyError naming the op, the input shapes and this line', () => {
  const x = tensor([[1, 0.5], [0, 2]], { requiresGrad: true });
  const y = x.mul(2); // finite: not reported
  assert.throws(() => detectAnomaly(() => y.sub(y).add(1).sub(tensor([[0, 0], [1, 0]])).log()), (e: unknown) => {
    assert.ok(e instanceof AnomalyError, `expected an AnomalyError, got ${String(e)}`);
    assert.equal(e.op, 'log');
    assert.deepEqual(e.inputShapes, [[2, 2]]);
    assert.match(e.message, /'log' produced -Infinity at flat index 2 of its output \(2, 2\)/);
    assert.match(e.message, /finite inputs of shapes \(2, 2\)/);
    assert.ok(e.userFrame && thisFile.test(e.userFrame), `the source line should be in this test file, got ${e.userFrame}`);
    assert.match(e.message, thisFile);
    return true;
  });
  assert.equal(isAnomalyEnabled(), false, 'detectAnomaly switches itself off after a throw');
});

test('only the first op is blamed: later ops on the non-finite values stay quiet', () => {
  // Without grad recording too: forward checks do not depend on the tape.
  assert.throws(() => detectAnomaly(() => tensor([0, 4]).log().mul(3).exp().sum()), (e: unknown) => {
    assert.ok(e instanceof AnomalyError);
    assert.equal(e.op, 'log');
    return true;
  });
  // Non-finite input data is not an anomaly of the op that reads it.
  const out = detectAnomaly(() => tensor([Infinity, 1]).mul(2));
  assert.deepEqual(out.toList(), [Infinity, 2]);
});

test('division by zero in forward is reported as div with both input shapes', () => {
  const a = tensor([[1, 2, 3]], { requiresGrad: true });
  const b = tensor([1, 0, 2]);
  assert.throws(() => detectAnomaly(() => a.div(b)), (e: unknown) => {
    assert.ok(e instanceof AnomalyError);
    assert.equal(e.op, 'div');
    assert.deepEqual(e.inputShapes, [[1, 3], [3]]);
    assert.match(e.message, /Infinity at flat index 1/);
    return true;
  });
});

test('a NaN produced in backward (sqrt at 0 behind a zero factor) is reported with the op name', () => {
  // Forward is finite everywhere: sqrt(0) = 0 and 0 * 0 = 0. Backward: the upstream gradient
  // of sqrt is 0 at that element, and sqrt's rule 0.5 * g / sqrt(x) gives 0 / 0 = NaN.
  const x = tensor([0, 4], { requiresGrad: true });
  assert.throws(() => detectAnomaly(() => {
    const y = x.sqrt().mul(tensor([0, 1])).sum();
    assert.ok(Number.isFinite(y.item()));
    y.backward();
  }), (e: unknown) => {
    assert.ok(e instanceof AnomalyError, `expected an AnomalyError, got ${String(e)}`);
    assert.equal(e.op, 'sqrt');
    assert.match(e.message, /backward of 'sqrt' produced NaN in the gradient of input 0/);
    assert.match(e.message, /from a finite upstream gradient/);
    assert.ok(e.userFrame && thisFile.test(e.userFrame), `the op's call site should be in this test file, got ${e.userFrame}`);
    return true;
  });
});

test('division by a tiny number: finite forward, infinite gradient in backward, reported as div', () => {
  // 2 / 1e-20 = 2e20 fits in float32, but the gradient -g * a / b^2 needs b^2 = 1e-40, which
  // underflows to 0, so the gradient of the divisor is -Infinity.
  const a = tensor([2, 3], { requiresGrad: true });
  const b = tensor([1e-20, 1], { requiresGrad: true });
  assert.throws(() => detectAnomaly(() => {
    const y = a.div(b).sum();
    assert.ok(Number.isFinite(y.item()));
    y.backward();
  }), (e: unknown) => {
    assert.ok(e instanceof AnomalyError, `expected an AnomalyError, got ${String(e)}`);
    assert.equal(e.op, 'div');
    assert.deepEqual(e.inputShapes, [[2], [2]]);
    assert.match(e.message, /backward of 'div' produced -Infinity in the gradient of input 1/);
    return true;
  });
});

test('outside detectAnomaly nothing throws: the non-finite values simply flow', () => {
  assert.equal(isAnomalyEnabled(), false);
  const y = tensor([0, 1]).log();
  assert.deepEqual(y.toList(), [-Infinity, 0]);
  const x = tensor([0, 4], { requiresGrad: true });
  x.sqrt().mul(tensor([0, 1])).sum().backward();
  assert.ok(Number.isNaN(x.grad!.data[0]), `expected NaN, got ${x.grad!.data[0]}`);
  assert.equal(x.grad!.data[1], 0.25);
});

test('detectAnomaly returns fn\'s value and works with async fns', async () => {
  assert.equal(detectAnomaly(() => 42), 42);
  const v = await detectAnomaly(async () => {
    assert.equal(isAnomalyEnabled(), true);
    await new Promise((r) => setTimeout(r, 1));
    return tensor([1, 2]).exp().sum().item();
  });
  assert.ok(Math.abs(v - (Math.E + Math.exp(2))) < 1e-4);
  assert.equal(isAnomalyEnabled(), false);
});
