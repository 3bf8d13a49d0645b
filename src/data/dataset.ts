import { Tensor } from '../tensor/tensor.js';
import { formatShape, ShapeError } from '../tensor/shape.js';
import { emptyF32, emptyI32 } from '../backend/alloc.js';
import { backend } from '../backend/registry.js';

/** A dataset indexable by position: `get(i)` returns one example as tensors. */
export interface Dataset<T = { x: Tensor; y: Tensor }> {
  readonly length: number;
  get(index: number): T;
}

/**
 * Examples stored as rows of whole tensors (inputs (N, ...) and targets (N, ...)), so a batch
 * is a block copy rather than N small allocations.
 */
export class TensorDataset implements Dataset {
  readonly length: number;

  constructor(readonly x: Tensor, readonly y: Tensor, readonly name = 'dataset') {
    if (x.ndim === 0 || y.ndim === 0) throw new ShapeError(`TensorDataset(${name}): inputs and targets need a leading sample dimension, got ${formatShape(x.shape)} and ${formatShape(y.shape)}`);
    if (x.shape[0] !== y.shape[0]) {
      throw new ShapeError(`TensorDataset(${name}): ${x.shape[0]} inputs but ${y.shape[0]} targets; they must have the same first dimension`);
    }
    this.length = x.shape[0];
  }

  get(index: number): { x: Tensor; y: Tensor } {
    const b = this.rows([index]);
    return { x: new Tensor(b.x.data, b.x.shape.slice(1), b.x.dtype), y: new Tensor(b.y.data, b.y.shape.slice(1), b.y.dtype) };
  }

  /** The examples at the given indices as one batch. */
  rows(indices: ArrayLike<number>): { x: Tensor; y: Tensor } {
    return { x: takeRows(this.x, indices), y: takeRows(this.y, indices) };
  }

  /** A new dataset holding only the given rows (copied). */
  subset(indices: ArrayLike<number>, name = this.name): TensorDataset {
    const b = this.rows(indices);
    return new TensorDataset(b.x, b.y, name);
  }
}

export function takeRows(t: Tensor, indices: ArrayLike<number>): Tensor {
  const n = t.shape[0];
  const row = t.size / Math.max(n, 1);
  for (let i = 0; i < indices.length; i++) {
    const r = indices[i];
    if (r < 0 || r >= n || !Number.isInteger(r)) throw new RangeError(`takeRows: index ${r} is out of range for ${n} rows`);
  }
  const shape = [indices.length, ...t.shape.slice(1)];
  // Every element is written below: no zero-fill first (a 64-image MNIST batch is 200 KB).
  if (t.dtype === 'float32' && row > 1) {
    // The backend's row gather: a shuffled batch's rows are cache misses (MNIST's training
    // tensor is 188 MB) and the native one fetches them on every core (64 shuffled rows into one
    // buffer: 25-33 us against 47-53 us row by row with TypedArray.set, on a Zen 3).
    const out = emptyF32(indices.length * row);
    const idx = indices instanceof Int32Array ? indices : Int32Array.from(indices);
    backend().indexSelect(t.data as Float32Array, 1, n, row, idx, out);
    return new Tensor(out, shape, t.dtype);
  }
  const out = t.dtype === 'int32' ? emptyI32(indices.length * row) : emptyF32(indices.length * row);
  const src = t.data;
  for (let i = 0; i < indices.length; i++) {
    const r = indices[i];
    if (row === 1) out[i] = src[r];
    else out.set(src.subarray(r * row, (r + 1) * row), i * row);
  }
  return new Tensor(out, shape, t.dtype);
}

/** Joins two tensor datasets (e.g. train + validation for a final retrain). */
export function concatDatasets(a: TensorDataset, b: TensorDataset, name = `${a.name}+${b.name}`): TensorDataset {
  const join = (p: Tensor, q: Tensor): Tensor => {
    const out = p.dtype === 'int32' ? new Int32Array(p.size + q.size) : new Float32Array(p.size + q.size);
    out.set(p.data); out.set(q.data, p.size);
    return new Tensor(out, [p.shape[0] + q.shape[0], ...p.shape.slice(1)], p.dtype);
  };
  return new TensorDataset(join(a.x, b.x), join(a.y, b.y), name);
}
