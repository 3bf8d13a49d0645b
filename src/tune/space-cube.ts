import type { HParamValue } from '../experiments/define.js';
import type { ParamSpec, Params, SearchSpace } from './types.js';
import { orderParams, resolveActive, SearchSpaceError } from './space.js';

/**
 * Maps parameters to and from the unit cube, where quasi-random sequences and Gaussian processes
 * live. Log parameters are uniform in log space. Discrete parameters (ints, stepped floats,
 * categoricals) split [0, 1) into equal bins, one per value, so a uniform u gives every value the
 * same chance; encoding a value returns its bin's centre. Fixed parameters have no dimension.
 */

/** The searched (non-fixed) parameters, parents before children: one unit-cube dimension each. */
export function cubeDims(space: SearchSpace): string[] {
  return orderParams(space).filter((n) => space[n].type !== 'fixed');
}

/** Number of distinct values, or Infinity for a continuous float. */
export function levelCount(spec: ParamSpec): number {
  switch (spec.type) {
    case 'fixed': return 1;
    case 'categorical': return spec.choices.length;
    case 'int':
      if (spec.log) return spec.high - spec.low + 1;
      return Math.floor((spec.high - spec.low) / (spec.step ?? 1) + 1e-9) + 1;
    case 'float':
      return spec.step === undefined ? Infinity : Math.floor((spec.high - spec.low) / spec.step + 1e-9) + 1;
  }
}

const clamp01 = (u: number): number => (u < 0 ? 0 : u > 1 ? 1 : u);
const bin = (u: number, m: number): number => Math.min(m - 1, Math.floor(clamp01(u) * m));

/** The value of `spec` at unit coordinate u in [0, 1]. */
export function fromUnit(spec: ParamSpec, u: number): HParamValue {
  switch (spec.type) {
    case 'fixed': return spec.value;
    case 'categorical': return spec.choices[bin(u, spec.choices.length)];
    case 'float': {
      if (spec.step !== undefined) return stepValue(spec.low, spec.high, spec.step, bin(u, levelCount(spec)));
      if (spec.log) {
        // The ends exactly: exp(log(1e-4)) is 1.0000000000000009e-4.
        if (u <= 0) return spec.low;
        if (u >= 1) return spec.high;
        const x = Math.exp(Math.log(spec.low) + clamp01(u) * (Math.log(spec.high) - Math.log(spec.low)));
        return Math.min(spec.high, Math.max(spec.low, x));
      }
      return spec.low + clamp01(u) * (spec.high - spec.low);
    }
    case 'int': {
      if (spec.log) {
        const a = Math.log(spec.low - 0.5);
        const b = Math.log(spec.high + 0.5);
        return Math.min(spec.high, Math.max(spec.low, Math.round(Math.exp(a + clamp01(u) * (b - a)))));
      }
      return stepValue(spec.low, spec.high, spec.step ?? 1, bin(u, levelCount(spec)));
    }
  }
}

function stepValue(low: number, high: number, step: number, k: number): number {
  // Round away the last-bit noise of low + k·step (0.1 + 3·0.1) without leaving [low, high].
  return Math.min(high, Number((low + k * step).toPrecision(15)));
}

/** The unit coordinate of a value (a bin's centre for discrete parameters). */
export function toUnit(spec: ParamSpec, value: HParamValue): number {
  switch (spec.type) {
    case 'fixed': return 0.5;
    case 'categorical': {
      const k = spec.choices.findIndex((c) => c === value);
      if (k < 0) throw new SearchSpaceError(`value ${JSON.stringify(value)} is not one of the choices ${JSON.stringify(spec.choices)}`);
      return (k + 0.5) / spec.choices.length;
    }
    case 'float':
    case 'int': {
      if (typeof value !== 'number') throw new SearchSpaceError(`expected a number for a ${spec.type} parameter, got ${JSON.stringify(value)}`);
      if (spec.type === 'int' && spec.log) {
        const a = Math.log(spec.low - 0.5);
        const b = Math.log(spec.high + 0.5);
        const mid = 0.5 * (Math.log(value - 0.5) + Math.log(value + 0.5));
        return clamp01((mid - a) / (b - a));
      }
      if (spec.type === 'int' || spec.step !== undefined) {
        const m = levelCount(spec);
        const k = Math.min(m - 1, Math.max(0, Math.round((value - spec.low) / (spec.step ?? 1))));
        return (k + 0.5) / m;
      }
      if (spec.log) return clamp01((Math.log(value) - Math.log(spec.low)) / (Math.log(spec.high) - Math.log(spec.low)));
      return clamp01((value - spec.low) / (spec.high - spec.low));
    }
  }
}

/** Parameters (active ones only) from a point of the unit cube indexed like `cubeDims(space)`. */
export function paramsFromUnit(space: SearchSpace, u: ArrayLike<number>): Params {
  const dims = cubeDims(space);
  const index = new Map(dims.map((n, i) => [n, i]));
  return resolveActive(space, (name, spec) => fromUnit(spec, u[index.get(name)!]));
}

/** The unit-cube point of a parameter set; inactive parameters get `inactive` (default 0.5). */
export function paramsToUnit(space: SearchSpace, params: Params, inactive = 0.5): Float64Array {
  const dims = cubeDims(space);
  const x = new Float64Array(dims.length);
  dims.forEach((n, i) => { x[i] = n in params ? toUnit(space[n], params[n]) : inactive; });
  return x;
}
