/**
 * Elementwise functions of one argument, plus clamp. Each op is one tight loop chosen by a single
 * switch; x and out may be the same array. Arithmetic is in float64 and rounded once on store,
 * which equals float32 arithmetic for the correctly rounded ops (+ - * / sqrt).
 */
import type { F32, UnaryOp } from '../backend.js';
import { erf } from './erf.js';

/** Round half to even (torch.round): Math.round rounds halves up, so fix odd results of exact halves. */
export function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return r - x === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/**
 * relu on the float32 bit patterns: a sign that is random after a layer makes `v < 0 ? 0 : v`
 * mispredict half the time (~3x slower), while an integer mask has no branch. As int32, every
 * negative float (-0 and -Infinity included) is <= -2^23 = 0xff800000, while NaN with its sign bit
 * set lies above that, so NaN passes through like torch.relu.
 */
function reluBits(x: F32, out: F32): void {
  const xi = new Int32Array(x.buffer, x.byteOffset, x.length);
  const oi = new Int32Array(out.buffer, out.byteOffset, out.length);
  for (let i = 0; i < xi.length; i++) {
    const v = xi[i];
    oi[i] = v & -(v > -8388608);
  }
}

export function unary(op: UnaryOp, x: F32, out: F32): void {
  const n = x.length;
  switch (op) {
    case 'neg': for (let i = 0; i < n; i++) out[i] = -x[i]; break;
    case 'exp': for (let i = 0; i < n; i++) out[i] = Math.exp(x[i]); break;
    case 'log': for (let i = 0; i < n; i++) out[i] = Math.log(x[i]); break;
    case 'sqrt': for (let i = 0; i < n; i++) out[i] = Math.sqrt(x[i]); break;
    case 'rsqrt': for (let i = 0; i < n; i++) out[i] = 1 / Math.sqrt(x[i]); break;
    case 'abs': for (let i = 0; i < n; i++) out[i] = Math.abs(x[i]); break;
    case 'sign':
      // -1 / 0 / 1 (both zeros give +0, like torch.sign); NaN stays NaN.
      for (let i = 0; i < n; i++) { const v = x[i]; out[i] = v > 0 ? 1 : v < 0 ? -1 : v === 0 ? 0 : v; }
      break;
    case 'relu': reluBits(x, out); break;
    case 'sigmoid':
      // Two branches so neither exp can overflow: 1/(1+e^-x) for x >= 0, e^x/(1+e^x) otherwise.
      for (let i = 0; i < n; i++) {
        const v = x[i];
        if (v >= 0) out[i] = 1 / (1 + Math.exp(-v));
        else { const e = Math.exp(v); out[i] = e / (1 + e); }
      }
      break;
    case 'tanh': for (let i = 0; i < n; i++) out[i] = Math.tanh(x[i]); break;
    case 'sin': for (let i = 0; i < n; i++) out[i] = Math.sin(x[i]); break;
    case 'cos': for (let i = 0; i < n; i++) out[i] = Math.cos(x[i]); break;
    case 'reciprocal': for (let i = 0; i < n; i++) out[i] = 1 / x[i]; break;
    case 'square': for (let i = 0; i < n; i++) { const v = x[i]; out[i] = v * v; } break;
    case 'log1p': for (let i = 0; i < n; i++) out[i] = Math.log1p(x[i]); break;
    case 'expm1': for (let i = 0; i < n; i++) out[i] = Math.expm1(x[i]); break;
    case 'floor': for (let i = 0; i < n; i++) out[i] = Math.floor(x[i]); break;
    case 'ceil': for (let i = 0; i < n; i++) out[i] = Math.ceil(x[i]); break;
    case 'round': for (let i = 0; i < n; i++) out[i] = roundHalfEven(x[i]); break;
    case 'erf': for (let i = 0; i < n; i++) out[i] = erf(x[i]); break;
    case 'isfinite':
      // x - x is 0 for finite x and NaN for +-Infinity and NaN.
      for (let i = 0; i < n; i++) { const v = x[i]; out[i] = v - v === 0 ? 1 : 0; }
      break;
    case 'step': for (let i = 0; i < n; i++) out[i] = x[i] > 0 ? 1 : 0; break;
    default: {
      const never: never = op;
      throw new Error(`js backend: unknown unary op ${String(never)}`);
    }
  }
}

/**
 * torch.clamp: min(max(x, lo), hi) with NaN passing through; when lo > hi every element becomes hi.
 * Bounds are rounded to float32 first, as PyTorch casts scalar bounds to the tensor's dtype.
 */
export function clamp(x: F32, lo: number, hi: number, out: F32): void {
  const l = Math.fround(lo), h = Math.fround(hi);
  const n = x.length;
  for (let i = 0; i < n; i++) {
    let v = x[i];
    if (v < l) v = l;
    if (v > h) v = h;
    out[i] = v;
  }
}
