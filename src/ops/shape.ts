import { Tensor } from '../tensor/tensor.js';
import { backend } from '../backend/registry.js';
import { emptyF32 } from '../backend/alloc.js';
import { record } from '../autograd/record.js';
import { numel, normalizeAxis, formatShape, ShapeError, contiguousStrides, type Shape } from '../tensor/shape.js';

/** Shape ops: views of the same data (reshape) and copies (permute, slicing, cat). */

function emptyLike(dtype: Tensor['dtype'], n: number): Float32Array | Int32Array {
  return dtype === 'int32' ? new Int32Array(n) : emptyF32(n);
}

/** Resolves one -1 entry and checks the element count. */
export function resolveShape(op: string, from: Shape, to: number[]): number[] {
  const n = numel(from);
  const unknown = to.indexOf(-1);
  if (to.lastIndexOf(-1) !== unknown) throw new ShapeError(`${op}: only one dimension can be -1, got ${formatShape(to)}`);
  const out = [...to];
  if (unknown >= 0) {
    const known = numel(to.filter((_, i) => i !== unknown));
    if (known === 0 || n % known !== 0) {
      throw new ShapeError(`${op}: cannot reshape ${formatShape(from)} (${n} elements) to ${formatShape(to)}: ${n} is not divisible by ${known}`);
    }
    out[unknown] = n / known;
  }
  for (const d of out) if (!Number.isInteger(d) || d < 0) throw new ShapeError(`${op}: invalid size ${d} in ${formatShape(to)}`);
  if (numel(out) !== n) {
    throw new ShapeError(`${op}: cannot reshape ${formatShape(from)} (${n} elements) to ${formatShape(to)} (${numel(out)} elements)`);
  }
  return out;
}

/** Same data, new shape (no copy). */
export function reshape(a: Tensor, shape: number[]): Tensor {
  const s = resolveShape('reshape', a.shape, shape);
  return record(new Tensor(a.data, s, a.dtype), 'reshape', [a], (g) => [reshape(g, a.shape as number[])]);
}

export function permute(a: Tensor, dims: number[]): Tensor {
  if (dims.length !== a.ndim) throw new ShapeError(`permute: got ${dims.length} dims ${formatShape(dims)} for a tensor of rank ${a.ndim}`);
  const d = dims.map((x) => normalizeAxis('permute', x, a.ndim));
  if (new Set(d).size !== d.length) throw new ShapeError(`permute: dims ${formatShape(dims)} repeat an axis`);
  const src = contiguousStrides(a.shape);
  const shape = d.map((i) => a.shape[i]);
  const out = emptyLike(a.dtype, a.size);
  backend().copyStrided(a.data, 0, shape, d.map((i) => src[i]), out);
  const inverse = new Array<number>(d.length);
  d.forEach((axis, i) => { inverse[axis] = i; });
  return record(new Tensor(out, shape, a.dtype), 'permute', [a], (g) => [permute(g, inverse)]);
}

export function transpose(a: Tensor, d0: number, d1: number): Tensor {
  const order = a.shape.map((_, i) => i);
  const i = normalizeAxis('transpose', d0, a.ndim), j = normalizeAxis('transpose', d1, a.ndim);
  [order[i], order[j]] = [order[j], order[i]];
  return permute(a, order);
}

export function squeeze(a: Tensor, dim?: number): Tensor {
  if (dim === undefined) return reshape(a, a.shape.filter((d) => d !== 1));
  const d = normalizeAxis('squeeze', dim, a.ndim);
  if (a.shape[d] !== 1) return a;
  return reshape(a, a.shape.filter((_, i) => i !== d));
}

export function unsqueeze(a: Tensor, dim: number): Tensor {
  const d = normalizeAxis('unsqueeze', dim, a.ndim + 1);
  const s = [...a.shape];
  s.splice(d, 0, 1);
  return reshape(a, s);
}

export function flatten(a: Tensor, startDim = 0, endDim = -1): Tensor {
  if (a.ndim === 0) return reshape(a, [1]);
  const s = normalizeAxis('flatten', startDim, a.ndim), e = normalizeAxis('flatten', endDim, a.ndim);
  if (e < s) throw new ShapeError(`flatten: startDim ${startDim} comes after endDim ${endDim}`);
  return reshape(a, [...a.shape.slice(0, s), numel(a.shape.slice(s, e + 1)), ...a.shape.slice(e + 1)]);
}

/** Materializes a broadcast to `shape` (-1 keeps a size). The engine sums the gradient back. */
export function expand(a: Tensor, shape: number[]): Tensor {
  const off = shape.length - a.ndim;
  if (off < 0) throw new ShapeError(`expand: cannot expand shape ${formatShape(a.shape)} to the smaller rank of ${formatShape(shape)}`);
  const bad = shape.findIndex((d, i) => d === -1 && i < off);
  if (bad >= 0) throw new ShapeError(`expand: -1 (keep the size) is not allowed for the new leading dimension ${bad} in ${formatShape(shape)}`);
  const target = shape.map((d, i) => (d === -1 ? a.shape[i - off] : d));
  const src = contiguousStrides(a.shape);
  const strides = target.map((d, i) => {
    if (i < off) return 0;
    const ad = a.shape[i - off];
    if (ad === d) return ad === 1 ? 0 : src[i - off];
    if (ad === 1) return 0;
    throw new ShapeError(`expand: dimension ${i} of ${formatShape(a.shape)} has size ${ad}, which cannot expand to ${d} (only size-1 dims expand) in ${formatShape(target)}`);
  });
  if (off === 0 && target.every((d, i) => d === a.shape[i])) return a;
  const out = emptyLike(a.dtype, numel(target));
  backend().copyStrided(a.data, 0, target, strides, out);
  return record(new Tensor(out, target, a.dtype), 'expand', [a], (g) => [g]);
}

export function clone(a: Tensor): Tensor {
  const out = a.data.slice();
  return record(new Tensor(out, a.shape, a.dtype), 'clone', [a], (g) => [g]);
}

function toIndex(op: string, index: Tensor | number[]): Int32Array {
  if (Array.isArray(index)) return Int32Array.from(index);
  if (index.dtype !== 'int32') throw new ShapeError(`${op}: the index must be an int32 tensor, got ${index.dtype} (use .int())`);
  return index.data as Int32Array;
}

function checkRange(op: string, idx: Int32Array, size: number, dim: number): void {
  for (let i = 0; i < idx.length; i++) {
    const v = idx[i];
    if (v < 0 || v >= size) throw new ShapeError(`${op}: index ${v} (position ${i}) is out of range for dimension ${dim} of size ${size}`);
  }
}

function splitAt(shape: Shape, d: number): [number, number, number] {
  return [numel(shape.slice(0, d)), shape[d], numel(shape.slice(d + 1))];
}

/** Rows of `a` along dim at the given indices (torch.index_select). */
export function indexSelect(a: Tensor, dim: number, index: Tensor | number[]): Tensor {
  const d = normalizeAxis('indexSelect', dim, a.ndim);
  const idx = toIndex('indexSelect', index);
  checkRange('indexSelect', idx, a.shape[d], d);
  const [outer, size, inner] = splitAt(a.shape, d);
  const shape = [...a.shape];
  shape[d] = idx.length;
  let out: Float32Array | Int32Array;
  if (a.dtype === 'int32') {
    out = new Int32Array(numel(shape));
    const src = a.data;
    for (let o = 0; o < outer; o++) for (let j = 0; j < idx.length; j++) {
      out.set(src.subarray((o * size + idx[j]) * inner, (o * size + idx[j] + 1) * inner), (o * idx.length + j) * inner);
    }
  } else {
    out = emptyF32(numel(shape));
    backend().indexSelect(a.data as Float32Array, outer, size, inner, idx, out);
  }
  return record(new Tensor(out, shape, a.dtype), 'indexSelect', [a], (g) => [indexAdd(g, d, idx, size)]);
}

/** Scatter-adds g's slices into a zero tensor with `size` along dim (the adjoint of indexSelect). */
function indexAdd(g: Tensor, d: number, idx: Int32Array, size: number): Tensor {
  const [outer, , inner] = splitAt(g.shape, d);
  const shape = [...g.shape];
  shape[d] = size;
  const out = new Float32Array(numel(shape));
  backend().indexAdd(g.f32, outer, size, inner, idx, out);
  return record(new Tensor(out, shape), 'indexAdd', [g], (gg) => [indexSelect(gg, d, Array.from(idx))]);
}

/** torch.gather: out[..., j, ...] = a[..., index[..., j, ...], ...] along dim; index matches a's shape elsewhere. */
export function gather(a: Tensor, dim: number, index: Tensor): Tensor {
  const d = normalizeAxis('gather', dim, a.ndim);
  if (index.ndim !== a.ndim || index.shape.some((s, i) => i !== d && s !== a.shape[i])) {
    throw new ShapeError(`gather: index of shape ${formatShape(index.shape)} must match input ${formatShape(a.shape)} in every dimension except ${d}`);
  }
  const idx = toIndex('gather', index);
  checkRange('gather', idx, a.shape[d], d);
  const [outer, size, inner] = splitAt(a.shape, d);
  const k = index.shape[d];
  const out = emptyF32(index.size);
  backend().gather(a.f32, outer, size, inner, idx, k, out);
  return record(new Tensor(out, [...index.shape]), 'gather', [a], (g) => [scatterAdd(g, d, index, size)]);
}

/** Adds g into zeros of `size` along dim at index (the adjoint of gather). */
export function scatterAdd(g: Tensor, d: number, index: Tensor, size: number): Tensor {
  const [outer, k, inner] = splitAt(g.shape, d);
  const shape = [...g.shape];
  shape[d] = size;
  const out = new Float32Array(numel(shape));
  backend().scatterAdd(g.f32, outer, size, inner, index.data as Int32Array, k, out);
  return record(new Tensor(out, shape), 'scatterAdd', [g], (gg) => [gather(gg, d, index)]);
}

/** Elements start, start+step, ... below end along dim; negative bounds count from the end. */
export function slice(a: Tensor, dim: number, start = 0, end?: number, step = 1): Tensor {
  const d = normalizeAxis('slice', dim, a.ndim);
  const n = a.shape[d];
  if (!Number.isInteger(step) || step < 1) throw new ShapeError(`slice: step must be a positive integer, got ${step}`);
  const clampIdx = (v: number) => Math.min(Math.max(v < 0 ? v + n : v, 0), n);
  const s = clampIdx(start), e = clampIdx(end ?? n);
  const idx: number[] = [];
  for (let i = s; i < e; i += step) idx.push(i);
  if (idx.length === n) return a;
  return indexSelect(a, d, idx);
}

export function narrow(a: Tensor, dim: number, start: number, length: number): Tensor {
  const d = normalizeAxis('narrow', dim, a.ndim);
  if (start < 0 || length < 0 || start + length > a.shape[d]) {
    throw new ShapeError(`narrow: [${start}, ${start + length}) is outside dimension ${d} of size ${a.shape[d]}`);
  }
  return slice(a, d, start, start + length);
}

export function select(a: Tensor, dim: number, index: number): Tensor {
  const d = normalizeAxis('select', dim, a.ndim);
  const n = a.shape[d];
  const i = index < 0 ? index + n : index;
  if (!Number.isInteger(i) || i < 0 || i >= n) throw new ShapeError(`select: index ${index} is out of range for dimension ${d} of size ${n}`);
  return reshape(indexSelect(a, d, [i]), a.shape.filter((_, k) => k !== d));
}

/** Joins tensors along an existing dim. */
export function cat(tensors: Tensor[], dim = 0): Tensor {
  if (tensors.length === 0) throw new ShapeError('cat: expected at least one tensor');
  const first = tensors[0];
  const d = normalizeAxis('cat', dim, first.ndim);
  tensors.forEach((t, k) => {
    if (t.ndim !== first.ndim || t.shape.some((s, i) => i !== d && s !== first.shape[i])) {
      throw new ShapeError(`cat: tensor ${k} has shape ${formatShape(t.shape)}, which does not match ${formatShape(first.shape)} outside dimension ${d}`);
    }
    if (t.dtype !== first.dtype) throw new ShapeError(`cat: tensor ${k} is ${t.dtype} but tensor 0 is ${first.dtype}`);
  });
  const sizes = tensors.map((t) => t.shape[d]);
  const total = sizes.reduce((x, y) => x + y, 0);
  const shape = [...first.shape];
  shape[d] = total;
  const outer = numel(first.shape.slice(0, d)), inner = numel(first.shape.slice(d + 1));
  const out = emptyLike(first.dtype, numel(shape));
  let offset = 0;
  for (const t of tensors) {
    const block = t.shape[d] * inner;
    for (let o = 0; o < outer; o++) out.set(t.data.subarray(o * block, (o + 1) * block), o * total * inner + offset * inner);
    offset += t.shape[d];
  }
  return record(new Tensor(out, shape, first.dtype), 'cat', tensors, (g) => {
    let start = 0;
    return sizes.map((s) => { const piece = narrow(g, d, start, s); start += s; return piece; });
  });
}

export function stack(tensors: Tensor[], dim = 0): Tensor {
  if (tensors.length === 0) throw new ShapeError('stack: expected at least one tensor');
  const d = normalizeAxis('stack', dim, tensors[0].ndim + 1);
  return cat(tensors.map((t) => unsqueeze(t, d)), d);
}

export function split(a: Tensor, sizeOrSections: number | number[], dim = 0): Tensor[] {
  const d = normalizeAxis('split', dim, a.ndim);
  const n = a.shape[d];
  let sizes: number[];
  if (Array.isArray(sizeOrSections)) {
    sizes = sizeOrSections;
    if (sizes.reduce((x, y) => x + y, 0) !== n) throw new ShapeError(`split: sections ${formatShape(sizes)} do not add up to ${n}, the size of dimension ${d}`);
  } else {
    if (!Number.isInteger(sizeOrSections) || sizeOrSections < 1) throw new ShapeError(`split: size must be a positive integer, got ${sizeOrSections}`);
    sizes = [];
    for (let s = 0; s < n; s += sizeOrSections) sizes.push(Math.min(sizeOrSections, n - s));
  }
  let start = 0;
  return sizes.map((s) => { const p = narrow(a, d, start, s); start += s; return p; });
}

export function chunk(a: Tensor, chunks: number, dim = 0): Tensor[] {
  const d = normalizeAxis('chunk', dim, a.ndim);
  if (!Number.isInteger(chunks) || chunks < 1) throw new ShapeError(`chunk: chunks must be a positive integer, got ${chunks}`);
  return split(a, Math.max(1, Math.ceil(a.shape[d] / chunks)), d);
}
