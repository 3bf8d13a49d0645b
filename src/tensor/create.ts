import { Tensor, type DType, type NestedArray } from './tensor.js';
import { numel, checkShapeArg, type Shape, ShapeError } from './shape.js';
import { defaultGenerator, type Generator } from './random.js';

export interface CreateOptions {
  dtype?: DType;
  requiresGrad?: boolean;
}

function alloc(shape: Shape, dtype: DType = 'float32'): Float32Array | Int32Array {
  checkShapeArg('create', shape);
  const n = numel(shape);
  return dtype === 'int32' ? new Int32Array(n) : new Float32Array(n);
}

function finish(t: Tensor, opts?: CreateOptions): Tensor {
  if (opts?.requiresGrad) t.requiresGrad_(true);
  return t;
}

function inferShape(value: NestedArray, op: string): number[] {
  const shape: number[] = [];
  let v: NestedArray = value;
  while (Array.isArray(v)) {
    shape.push(v.length);
    if (v.length === 0) break;
    v = v[0];
  }
  const check = (x: NestedArray, dim: number, path: string): void => {
    if (dim === shape.length) {
      if (typeof x !== 'number') throw new ShapeError(`${op}: element ${path} is ${Array.isArray(x) ? 'an array' : typeof x}, expected a number`);
      return;
    }
    if (!Array.isArray(x) || x.length !== shape[dim]) {
      throw new ShapeError(`${op}: ragged nested array: ${path || 'the top level'} has ${Array.isArray(x) ? x.length : 'no'} elements, expected ${shape[dim]}`);
    }
    x.forEach((y, i) => check(y, dim + 1, `${path}[${i}]`));
  };
  check(value, 0, '');
  return shape;
}

/**
 * Makes a tensor from nested arrays, a typed array plus shape, or a number.
 * `tensor([[1, 2], [3, 4]])`, `tensor(new Float32Array(6), [2, 3])`, `tensor([0, 3, 1], { dtype: 'int32' })`.
 */
export function tensor(
  value: NestedArray | Float32Array | Int32Array | ArrayLike<number>,
  shapeOrOpts?: number[] | CreateOptions,
  opts?: CreateOptions,
): Tensor {
  const shapeArg = Array.isArray(shapeOrOpts) ? shapeOrOpts : undefined;
  const o = Array.isArray(shapeOrOpts) ? opts : shapeOrOpts;
  let shape: number[];
  let flat: ArrayLike<number>;
  if (typeof value === 'number') {
    shape = shapeArg ?? [];
    flat = [value];
  } else if (ArrayBuffer.isView(value) || !Array.isArray(value)) {
    flat = value as ArrayLike<number>;
    shape = shapeArg ?? [flat.length];
  } else {
    shape = inferShape(value as NestedArray, 'tensor');
    flat = (value as unknown[]).flat(Infinity) as number[];
    if (shapeArg) shape = shapeArg;
  }
  const dtype: DType = o?.dtype ?? (value instanceof Int32Array ? 'int32' : 'float32');
  if (flat.length !== numel(shape)) {
    throw new ShapeError(`tensor: ${flat.length} values cannot fill shape (${shape.join(', ')}), which needs ${numel(shape)}`);
  }
  const data = dtype === 'int32' ? Int32Array.from(flat, Math.trunc) : Float32Array.from(flat);
  return finish(new Tensor(data, shape, dtype), o);
}

export function zeros(shape: Shape, opts?: CreateOptions): Tensor {
  return finish(new Tensor(alloc(shape, opts?.dtype), [...shape]), opts);
}

export function ones(shape: Shape, opts?: CreateOptions): Tensor {
  return full(shape, 1, opts);
}

export function full(shape: Shape, value: number, opts?: CreateOptions): Tensor {
  const data = alloc(shape, opts?.dtype);
  data.fill(value);
  return finish(new Tensor(data, [...shape]), opts);
}

export function zerosLike(t: Tensor): Tensor {
  return zeros(t.shape, { dtype: t.dtype });
}

export function onesLike(t: Tensor): Tensor {
  return ones(t.shape, { dtype: t.dtype });
}

/** Values start, start+step, ... below end (torch.arange). */
export function arange(start: number, end?: number, step = 1, opts?: CreateOptions): Tensor {
  if (end === undefined) { end = start; start = 0; }
  if (step === 0 || !Number.isFinite(step)) throw new RangeError(`arange: step must be a non-zero finite number, got ${step}`);
  const n = Math.max(0, Math.ceil((end - start) / step));
  const dtype = opts?.dtype ?? (Number.isInteger(start) && Number.isInteger(step) && Number.isInteger(end) ? 'int32' : 'float32');
  const data = alloc([n], dtype);
  for (let i = 0; i < n; i++) data[i] = start + i * step;
  return finish(new Tensor(data, [n]), opts);
}

/** `steps` evenly spaced values from start to end inclusive (torch.linspace). */
export function linspace(start: number, end: number, steps: number, opts?: CreateOptions): Tensor {
  if (!Number.isInteger(steps) || steps < 0) throw new RangeError(`linspace: steps must be a non-negative integer, got ${steps}`);
  const data = new Float32Array(steps);
  const step = steps > 1 ? (end - start) / (steps - 1) : 0;
  // Like torch: fill the second half from the end so the last value is exactly `end`;
  // a single step is `start` (torch fills steps == 1 with start, not end).
  const half = steps === 1 ? 1 : Math.floor(steps / 2);
  for (let i = 0; i < steps; i++) data[i] = i < half ? start + i * step : end - (steps - 1 - i) * step;
  return finish(new Tensor(data, [steps]), opts);
}

export function eye(n: number, m = n, opts?: CreateOptions): Tensor {
  const t = zeros([n, m], opts);
  for (let i = 0; i < Math.min(n, m); i++) t.data[i * m + i] = 1;
  return t;
}

export interface RandomOptions extends CreateOptions {
  generator?: Generator;
}

/** Uniform on [0, 1) from the seeded generator (see manualSeed). */
export function rand(shape: Shape, opts?: RandomOptions): Tensor {
  const g = opts?.generator ?? defaultGenerator;
  const data = alloc(shape) as Float32Array;
  for (let i = 0; i < data.length; i++) data[i] = g.uniform();
  return finish(new Tensor(data, [...shape]), opts);
}

/** Standard normal from the seeded generator. */
export function randn(shape: Shape, opts?: RandomOptions): Tensor {
  const g = opts?.generator ?? defaultGenerator;
  const data = alloc(shape) as Float32Array;
  for (let i = 0; i < data.length; i++) data[i] = g.normal();
  return finish(new Tensor(data, [...shape]), opts);
}

/** Integers uniformly in [low, high) as int32 (torch.randint). */
export function randint(low: number, high: number, shape: Shape, opts?: RandomOptions): Tensor {
  if (!Number.isInteger(low) || !Number.isInteger(high) || high <= low) {
    throw new RangeError(`randint: need integers low < high, got low=${low}, high=${high}`);
  }
  const g = opts?.generator ?? defaultGenerator;
  const data = alloc(shape, 'int32');
  for (let i = 0; i < data.length; i++) data[i] = low + g.below(high - low);
  return new Tensor(data, [...shape], 'int32');
}

/** A random permutation of 0..n-1 as int32. */
export function randperm(n: number, opts?: RandomOptions): Tensor {
  const g = opts?.generator ?? defaultGenerator;
  const data = new Int32Array(n);
  for (let i = 0; i < n; i++) data[i] = i;
  g.shuffle(data);
  return new Tensor(data, [n], 'int32');
}
