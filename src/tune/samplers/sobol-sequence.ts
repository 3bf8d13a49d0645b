import { JOE_KUO_6_21201 } from './sobol-directions.js';

/**
 * Sobol points with Joe–Kuo direction numbers, in the Gray-code order that scipy's
 * `qmc.Sobol(d, scramble=False)` draws them (so point 0 is the origin). Any worker can compute
 * point i directly: x_i = XOR of the direction numbers selected by the bits of gray(i) = i ^ (i >> 1).
 * 30 bits per coordinate, as scipy's default.
 */

export const SOBOL_BITS = 30;
export const SOBOL_MAX_DIM = JOE_KUO_6_21201.length + 1;

/** Direction numbers V[dim][j] (j-th bit, scaled to SOBOL_BITS) for dimensions 0..d-1. */
function directionNumbers(d: number): Int32Array[] {
  if (!Number.isInteger(d) || d < 1 || d > SOBOL_MAX_DIM) {
    throw new RangeError(`Sobol: dimension must be an integer in 1..${SOBOL_MAX_DIM}, got ${d}`);
  }
  const out: Int32Array[] = [];
  for (let dim = 0; dim < d; dim++) {
    const v = new Int32Array(SOBOL_BITS);
    if (dim === 0) {
      for (let j = 0; j < SOBOL_BITS; j++) v[j] = 1 << (SOBOL_BITS - 1 - j);
    } else {
      const row = JOE_KUO_6_21201[dim - 1];
      const s = row[0];
      const a = row[1];
      for (let j = 0; j < SOBOL_BITS; j++) {
        if (j < s) {
          v[j] = row[2 + j] << (SOBOL_BITS - 1 - j);
          continue;
        }
        // Bratley & Fox recurrence on the scaled numbers: v_j = v_{j-s} ^ (v_{j-s} >> s) ^ ⊕_k a_k v_{j-k}.
        let x = v[j - s] ^ (v[j - s] >> s);
        for (let k = 1; k < s; k++) if ((a >> (s - 1 - k)) & 1) x ^= v[j - k];
        v[j] = x;
      }
    }
    out.push(v);
  }
  return out;
}

const cache = new Map<number, Int32Array[]>();

/** The integer coordinates (0 <= x < 2^30) of Sobol point `index` in `d` dimensions. */
export function sobolIntegers(index: number, d: number): Int32Array {
  if (!Number.isInteger(index) || index < 0 || index >= 2 ** SOBOL_BITS) {
    throw new RangeError(`Sobol: point index must be an integer in [0, 2^${SOBOL_BITS}), got ${index}`);
  }
  let v = cache.get(d);
  if (!v) { v = directionNumbers(d); cache.set(d, v); }
  const gray = index ^ (index >>> 1);
  const x = new Int32Array(d);
  for (let dim = 0; dim < d; dim++) {
    let acc = 0;
    for (let j = 0, g = gray; g !== 0; j++, g >>>= 1) if (g & 1) acc ^= v[dim][j];
    x[dim] = acc;
  }
  return x;
}

/**
 * Sobol point `index` in [0, 1)^d. With `scrambleSeed`, each coordinate is Owen-scrambled
 * (nested uniform scrambling, hashed as in Burley 2020, "Practical hash-based Owen scrambling"),
 * so the result is still computable from (seed, index) alone.
 * @example sobolPoint(1, 2) // Float64Array [0.5, 0.5]
 */
export function sobolPoint(index: number, d: number, scrambleSeed?: number): Float64Array {
  const ints = sobolIntegers(index, d);
  const out = new Float64Array(d);
  for (let dim = 0; dim < d; dim++) {
    if (scrambleSeed === undefined) {
      out[dim] = ints[dim] / 2 ** SOBOL_BITS;
    } else {
      const x32 = (ints[dim] << (32 - SOBOL_BITS)) >>> 0;
      out[dim] = owenScramble(x32, dimensionSeed(scrambleSeed, dim)) / 4294967296;
    }
  }
  return out;
}

function reverseBits(x: number): number {
  x = ((x >>> 1) & 0x55555555) | ((x & 0x55555555) << 1);
  x = ((x >>> 2) & 0x33333333) | ((x & 0x33333333) << 2);
  x = ((x >>> 4) & 0x0f0f0f0f) | ((x & 0x0f0f0f0f) << 4);
  x = ((x >>> 8) & 0x00ff00ff) | ((x & 0x00ff00ff) << 8);
  return ((x >>> 16) | (x << 16)) >>> 0;
}

/**
 * Nested uniform scramble of a 32-bit fixed-point coordinate: in bit-reversed order, a hash whose
 * every output bit depends only on the input bits below it flips each digit as a function of the
 * digits above it — Owen's tree of random permutations, one per prefix (Burley 2020, Laine–Karras
 * hash with Burley's constants).
 */
function owenScramble(x: number, seed: number): number {
  let v = reverseBits(x);
  v = (v + seed) >>> 0;
  v ^= Math.imul(v, 0x6c50b47c);
  v ^= Math.imul(v, 0xb82f1e52);
  v ^= Math.imul(v, 0xc7afe638);
  v ^= Math.imul(v, 0x8d22f6e6);
  return reverseBits(v >>> 0);
}

/** A well-mixed 32-bit seed per (seed, dimension) (murmur3 finalizer). */
function dimensionSeed(seed: number, dim: number): number {
  let h = (Math.imul(seed | 0, 0x9e3779b1) ^ Math.imul(dim + 1, 0x85ebca6b) ^ Math.floor(seed / 4294967296)) >>> 0;
  h ^= h >>> 16; h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13; h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}
