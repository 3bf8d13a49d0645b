import { Tensor } from '../tensor/tensor.js';
import { backend } from '../backend/registry.js';
import { emptyF32 } from '../backend/alloc.js';
import type { ReduceOp, ArgReduceOp } from '../backend/backend.js';
import { record } from '../autograd/record.js';
import { normalizeAxis, numel, formatShape, ShapeError, type Shape } from '../tensor/shape.js';
import { toFloat32 } from './elementwise.js';
import { gather, reshape, expand } from './shape.js';

/** Reductions over one or more dims, with keepdim, and their gradients. */

function axesOf(op: string, a: Tensor, dim: number | number[] | undefined): number[] {
  if (dim === undefined) return a.shape.map((_, i) => i);
  const list = (Array.isArray(dim) ? dim : [dim]).map((d) => normalizeAxis(op, d, a.ndim));
  return [...new Set(list)].sort((x, y) => x - y);
}

function keptShape(shape: Shape, axes: number[]): number[] {
  return shape.map((d, i) => (axes.includes(i) ? 1 : d));
}

function droppedShape(shape: Shape, axes: number[]): number[] {
  return shape.filter((_, i) => !axes.includes(i));
}

/** Reduces the given axes, returning the keepdim-shaped result (no graph). */
function reduceRaw(op: ReduceOp, a: Tensor, axes: number[]): Tensor {
  let data = toFloat32(a).data as Float32Array;
  let shape = [...a.shape];
  const be = backend();
  // Merge runs of adjacent axes so a contiguous block is one kernel call.
  let i = axes.length - 1;
  while (i >= 0) {
    let j = i;
    while (j > 0 && axes[j - 1] === axes[j] - 1) j--;
    const first = axes[j], last = axes[i];
    const outer = numel(shape.slice(0, first));
    const size = numel(shape.slice(first, last + 1));
    const inner = numel(shape.slice(last + 1));
    if (size === 0 && op !== 'sum') throw new ShapeError(`${op}: cannot reduce over an empty dimension of shape ${formatShape(a.shape)}`);
    const out = emptyF32(outer * inner);
    be.reduce(op, data, outer, size, inner, out);
    data = out;
    for (let k = first; k <= last; k++) shape[k] = 1;
    i = j - 1;
  }
  return new Tensor(data, shape);
}

/** Sum over dims (all when omitted). */
export function sum(a: Tensor, dim?: number | number[], keepdim = false): Tensor {
  const axes = axesOf('sum', a, dim);
  const kept = reduceRaw('sum', a, axes);
  const out = keepdim ? kept : new Tensor(kept.data, droppedShape(a.shape, axes));
  return record(out, 'sum', [a], (g) => [expand(reshape(g, kept.shape as number[]), a.shape as number[])]);
}

export function mean(a: Tensor, dim?: number | number[], keepdim = false): Tensor {
  const axes = axesOf('mean', a, dim);
  const count = axes.reduce((n, ax) => n * a.shape[ax], 1);
  return sum(a, dim, keepdim).div(count);
}

function extremum(op: 'max' | 'min', a: Tensor, dim: number | undefined, keepdim: boolean): Tensor {
  if (a.size === 0) throw new ShapeError(`${op}: cannot reduce an empty tensor of shape ${formatShape(a.shape)}`);
  // int32 (labels, indices: `target.max().item() + 1`) goes through float32, exact below 2^24.
  if (a.dtype === 'int32') return extremum(op, toFloat32(a), dim, keepdim).int();
  if (dim === undefined) {
    const flat = reshape(a, [a.size]);
    const idx = argRaw(op === 'max' ? 'argmax' : 'argmin', flat, 0);
    const v = gather(flat, 0, idx);
    return reshape(v, keepdim ? a.shape.map(() => 1) : []);
  }
  const d = normalizeAxis(op, dim, a.ndim);
  const idx = argRaw(op === 'max' ? 'argmax' : 'argmin', a, d);
  // Gathering at the arg index makes the gradient flow to that element only (torch.max(dim) semantics).
  const v = gather(a, d, idx);
  return keepdim ? v : reshape(v, droppedShape(a.shape, [d]));
}

export const max = (a: Tensor, dim?: number, keepdim = false): Tensor => extremum('max', a, dim, keepdim);
export const min = (a: Tensor, dim?: number, keepdim = false): Tensor => extremum('min', a, dim, keepdim);

/** keepdim-shaped int32 indices along axis d. */
function argRaw(op: ArgReduceOp, a: Tensor, d: number): Tensor {
  const outer = numel(a.shape.slice(0, d)), size = a.shape[d], inner = numel(a.shape.slice(d + 1));
  if (size === 0) throw new ShapeError(`${op}: cannot reduce over an empty dimension of shape ${formatShape(a.shape)}`);
  const out = new Int32Array(outer * inner);
  backend().argReduce(op, toFloat32(a).data as Float32Array, outer, size, inner, out);
  return new Tensor(out, keptShape(a.shape, [d]), 'int32');
}

function argPublic(op: ArgReduceOp, a: Tensor, dim: number | undefined, keepdim: boolean): Tensor {
  if (dim === undefined) {
    const r = argRaw(op, reshape(a, [a.size]), 0);
    return new Tensor(r.data, keepdim ? a.shape.map(() => 1) : [], 'int32');
  }
  const d = normalizeAxis(op, dim, a.ndim);
  const r = argRaw(op, a, d);
  return keepdim ? r : new Tensor(r.data, droppedShape(a.shape, [d]), 'int32');
}

export const argmax = (a: Tensor, dim?: number, keepdim = false): Tensor => argPublic('argmax', a, dim, keepdim);
export const argmin = (a: Tensor, dim?: number, keepdim = false): Tensor => argPublic('argmin', a, dim, keepdim);

/** Variance with `correction` subtracted from the count (1 = Bessel, torch's default). */
export function variance(a: Tensor, dim?: number | number[], keepdim = false, correction = 1): Tensor {
  const axes = axesOf('var', a, dim);
  const count = axes.reduce((n, ax) => n * a.shape[ax], 1);
  const centered = a.sub(mean(a, axes, true));
  return sum(centered.square(), axes, keepdim).div(Math.max(0, count - correction));
}

export function std(a: Tensor, dim?: number | number[], keepdim = false, correction = 1): Tensor {
  return variance(a, dim, keepdim, correction).sqrt();
}

/** log(sum(exp(a))) over dims, stabilized by the (detached) max. */
export function logsumexp(a: Tensor, dim: number | number[], keepdim = false): Tensor {
  const axes = axesOf('logsumexp', a, dim);
  const m = reduceRaw('max', a, axes);
  const md = m.data as Float32Array;
  for (let i = 0; i < md.length; i++) if (!Number.isFinite(md[i])) md[i] = 0;
  const s = sum(a.sub(m).exp(), axes, true).log().add(m);
  return keepdim ? s : reshape(s, droppedShape(a.shape, axes));
}

/** Sums g down to `shape` (undoing broadcasting); used by the engine for every broadcast op. */
export function sumTo(g: Tensor, shape: Shape): Tensor {
  const lead = g.ndim - shape.length;
  if (lead < 0) throw new ShapeError(`sumTo: cannot reduce shape ${formatShape(g.shape)} to the larger rank of ${formatShape(shape)}`);
  const axes: number[] = [];
  for (let i = 0; i < g.ndim; i++) {
    if (i < lead) axes.push(i);
    else if (shape[i - lead] === 1 && g.shape[i] !== 1) axes.push(i);
    else if (shape[i - lead] !== g.shape[i]) {
      throw new ShapeError(`sumTo: shape ${formatShape(g.shape)} does not broadcast to ${formatShape(shape)}`);
    }
  }
  const s = axes.length ? sum(g, axes, true) : g;
  return reshape(s, [...shape]);
}
