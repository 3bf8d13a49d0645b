/**
 * Shared helpers for the PyTorch-parity tests: reading the committed fixtures under
 * test/fixtures (written by scripts/fixtures/make_fixtures.py) and comparing our tensors with
 * the recorded ones. Every fixture tensor is {shape, data} with data flat and row-major.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Tensor } from '../../src/tensor/tensor.js';

export interface FxTensor { shape: number[]; data: number[] }

/** The repository root (this file runs from dist/test/fixtures-match/). */
export const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));

export function fixturePath(name: string): string {
  return `${repoRoot}test/fixtures/${name}`;
}

export function loadFixture<T = any>(name: string): T {
  return JSON.parse(readFileSync(fixturePath(name), 'utf8')) as T;
}

/** A float32 tensor from a fixture tensor (values are exact float32s stored as doubles). */
export function fx(t: FxTensor): Tensor {
  return new Tensor(Float32Array.from(t.data), [...t.shape], 'float32');
}

/** An int32 tensor (class indices, embedding ids) from an integer fixture tensor. */
export function fxInt(t: FxTensor): Tensor {
  return new Tensor(Int32Array.from(t.data), [...t.shape], 'int32');
}

export interface Tol { atol: number; rtol: number }

/**
 * Asserts a tensor matches a fixture tensor: same shape, and every element within
 * atol + rtol*|expected|. The message names the element, both values and the worst error.
 */
export function expectTensor(actual: Tensor | null, expected: FxTensor, tol: Tol, what: string): void {
  assert.ok(actual, `${what}: got null, expected a tensor of shape [${expected.shape}]`);
  assert.deepEqual([...actual.shape], expected.shape, `${what}: shape [${actual.shape}] != PyTorch's [${expected.shape}]`);
  expectValues(actual.data, expected.data, tol, what);
}

export function expectValues(actual: ArrayLike<number>, expected: ArrayLike<number>, tol: Tol, what: string): void {
  assert.equal(actual.length, expected.length, `${what}: ${actual.length} values, PyTorch has ${expected.length}`);
  let worst = -1, worstErr = 0;
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i], e = expected[i];
    const err = Math.abs(a - e) - (tol.atol + tol.rtol * Math.abs(e));
    if (!(err <= 0) && (worst < 0 || err > worstErr || Number.isNaN(err))) { worst = i; worstErr = Number.isNaN(err) ? Infinity : err; }
  }
  if (worst >= 0) {
    assert.fail(`${what}[${worst}]: got ${actual[worst]}, PyTorch ${expected[worst]} ` +
      `(|diff| ${Math.abs(actual[worst] - expected[worst]).toExponential(3)} > atol ${tol.atol} + rtol ${tol.rtol}*|expected|)`);
  }
}

export function expectNumber(actual: number, expected: number, tol: Tol, what: string): void {
  expectValues([actual], [expected], tol, what);
}

/** Float32 precision: a few ulps of the values involved, plus slack for values near zero. */
export const F32: Tol = { atol: 1e-6, rtol: 1e-5 };
