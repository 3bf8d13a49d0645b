import type { GradNode } from '../autograd/node.js';
import { isGradEnabled } from '../autograd/grad-mode.js';
import { backward as runBackward, type BackwardOptions } from '../autograd/engine.js';
import * as ew from '../ops/elementwise.js';
import * as red from '../ops/reduce.js';
import * as mm from '../ops/matmul.js';
import * as sh from '../ops/shape.js';
import * as act from '../ops/activation.js';
import { formatTensor } from './print.js';
import { numel, formatShape, type Shape } from './shape.js';
import { bindDims } from './dims.js';

export type DType = 'float32' | 'int32';
export type Storage = Float32Array | Int32Array;
export type Operand = Tensor | number;
export type NestedArray = number | NestedArray[];

/**
 * An n-dimensional array of float32 (or int32 for indices and labels) that records the ops
 * applied to it when it requires a gradient. Storage is a plain contiguous typed array that
 * the garbage collector frees: there is nothing to dispose.
 *
 * Methods are thin delegates to ops/, where each op's forward and gradient rule live together.
 */
export class Tensor {
  requiresGrad = false;
  /** The accumulated gradient; null until a backward pass reaches this tensor. */
  grad: Tensor | null = null;
  /** The op that produced this tensor (null for leaves). */
  gradFn: GradNode | null = null;
  /** Set by retainGrad(): keep `.grad` on this non-leaf tensor. */
  retainsGrad = false;

  constructor(
    readonly data: Storage,
    readonly shape: readonly number[],
    readonly dtype: DType = data instanceof Int32Array ? 'int32' : 'float32',
  ) {
    if (data.length !== numel(shape)) {
      throw new Error(`Tensor: data has ${data.length} elements but shape ${formatShape(shape)} needs ${numel(shape)}`);
    }
  }

  get size(): number { return this.data.length; }
  get ndim(): number { return this.shape.length; }
  get isLeaf(): boolean { return this.gradFn === null; }

  /** The float32 storage; throws for int32 tensors, whose data is an Int32Array. */
  get f32(): Float32Array {
    if (!(this.data instanceof Float32Array)) throw new Error(`expected a float32 tensor, got ${this.dtype}`);
    return this.data;
  }

  // ---- autograd -------------------------------------------------------------------------
  /** Marks a leaf tensor as needing a gradient (PyTorch's requires_grad_). */
  requiresGrad_(on = true): this {
    if (!this.isLeaf && !on) throw new Error('requiresGrad_(false): only leaf tensors can stop requiring grad; use detach() instead');
    if (on && this.dtype !== 'float32') throw new Error('requiresGrad_: only float32 tensors can require gradients (this one is int32)');
    this.requiresGrad = on;
    return this;
  }
  backward(gradient?: Tensor, opts?: BackwardOptions): void { runBackward(this, gradient, opts); }
  /** A tensor sharing this one's data, cut from the graph. */
  detach(): Tensor { return new Tensor(this.data, this.shape, this.dtype); }
  retainGrad(): this { if (!this.isLeaf) this.retainsGrad = true; return this; }
  zeroGrad(): void { this.grad = null; }

  // ---- conversion -----------------------------------------------------------------------
  item(): number {
    if (this.size !== 1) throw new Error(`item(): only one-element tensors can be converted to a number; this one has shape ${formatShape(this.shape)}`);
    return this.data[0];
  }
  toArray(): NestedArray {
    const build = (dim: number, off: number): NestedArray => {
      if (dim === this.shape.length) return this.data[off];
      const stride = numel(this.shape.slice(dim + 1));
      const out: NestedArray[] = [];
      for (let i = 0; i < this.shape[dim]; i++) out.push(build(dim + 1, off + i * stride));
      return out;
    };
    return build(0, 0);
  }
  /** A flat copy of the values as a plain number array. */
  toList(): number[] { return Array.from(this.data); }
  toString(): string { return formatTensor(this); }
  [Symbol.for('nodejs.util.inspect.custom')](): string { return formatTensor(this); }
  float(): Tensor { return this.dtype === 'float32' ? this : ew.toFloat32(this); }
  int(): Tensor { return this.dtype === 'int32' ? this : new Tensor(Int32Array.from(this.data, Math.trunc), this.shape, 'int32'); }
  clone(): Tensor { return sh.clone(this); }

  /** Checks rank and binds names: `const [b, c, h, w] = x.dims('b c h w')`. See tensor/dims.ts. */
  dims(pattern: string): number[] { return bindDims(this.shape, pattern); }

  // ---- in-place updates (no graph; for optimizers, initializers and loading weights) -------
  private assertInPlaceAllowed(op: string): void {
    if (isGradEnabled() && this.requiresGrad && this.isLeaf) {
      throw new Error(`${op}: a leaf tensor that requires grad cannot be modified in place while recording a graph; wrap the update in noGrad(() => ...)`);
    }
  }
  fill_(value: number): this { this.assertInPlaceAllowed('fill_'); this.data.fill(value); return this; }
  zero_(): this { return this.fill_(0); }
  copy_(src: Tensor): this {
    this.assertInPlaceAllowed('copy_');
    if (src.size !== this.size) throw new Error(`copy_: source has shape ${formatShape(src.shape)} but target has ${formatShape(this.shape)}`);
    this.data.set(src.data);
    return this;
  }
  add_(other: Operand, alpha = 1): this { this.assertInPlaceAllowed('add_'); ew.addInPlace(this, other, alpha); return this; }
  mul_(other: Operand): this { this.assertInPlaceAllowed('mul_'); ew.mulInPlace(this, other); return this; }

  // ---- elementwise ------------------------------------------------------------------------
  add(o: Operand): Tensor { return ew.add(this, o); }
  sub(o: Operand): Tensor { return ew.sub(this, o); }
  mul(o: Operand): Tensor { return ew.mul(this, o); }
  div(o: Operand): Tensor { return ew.div(this, o); }
  pow(o: Operand): Tensor { return ew.pow(this, o); }
  maximum(o: Operand): Tensor { return ew.maximum(this, o); }
  minimum(o: Operand): Tensor { return ew.minimum(this, o); }
  neg(): Tensor { return ew.neg(this); }
  exp(): Tensor { return ew.exp(this); }
  log(): Tensor { return ew.log(this); }
  log1p(): Tensor { return ew.log1p(this); }
  expm1(): Tensor { return ew.expm1(this); }
  sqrt(): Tensor { return ew.sqrt(this); }
  rsqrt(): Tensor { return ew.rsqrt(this); }
  abs(): Tensor { return ew.abs(this); }
  sign(): Tensor { return ew.sign(this); }
  sin(): Tensor { return ew.sin(this); }
  cos(): Tensor { return ew.cos(this); }
  square(): Tensor { return ew.square(this); }
  reciprocal(): Tensor { return ew.reciprocal(this); }
  erf(): Tensor { return ew.erf(this); }
  floor(): Tensor { return ew.floor(this); }
  ceil(): Tensor { return ew.ceil(this); }
  round(): Tensor { return ew.round(this); }
  clamp(min: number | null, max: number | null): Tensor { return ew.clamp(this, min, max); }
  eq(o: Operand): Tensor { return ew.eq(this, o); }
  ne(o: Operand): Tensor { return ew.ne(this, o); }
  lt(o: Operand): Tensor { return ew.lt(this, o); }
  le(o: Operand): Tensor { return ew.le(this, o); }
  gt(o: Operand): Tensor { return ew.gt(this, o); }
  ge(o: Operand): Tensor { return ew.ge(this, o); }
  isfinite(): Tensor { return ew.isfinite(this); }
  relu(): Tensor { return act.relu(this); }
  sigmoid(): Tensor { return act.sigmoid(this); }
  tanh(): Tensor { return act.tanh(this); }
  softmax(dim = -1): Tensor { return act.softmax(this, dim); }
  logSoftmax(dim = -1): Tensor { return act.logSoftmax(this, dim); }

  // ---- reductions -------------------------------------------------------------------------
  sum(dim?: number | number[], keepdim = false): Tensor { return red.sum(this, dim, keepdim); }
  mean(dim?: number | number[], keepdim = false): Tensor { return red.mean(this, dim, keepdim); }
  max(dim?: number, keepdim = false): Tensor { return red.max(this, dim, keepdim); }
  min(dim?: number, keepdim = false): Tensor { return red.min(this, dim, keepdim); }
  argmax(dim?: number, keepdim = false): Tensor { return red.argmax(this, dim, keepdim); }
  argmin(dim?: number, keepdim = false): Tensor { return red.argmin(this, dim, keepdim); }
  /** Variance with Bessel's correction by default (correction = 1), like torch.var. */
  var(dim?: number | number[], keepdim = false, correction = 1): Tensor { return red.variance(this, dim, keepdim, correction); }
  std(dim?: number | number[], keepdim = false, correction = 1): Tensor { return red.std(this, dim, keepdim, correction); }
  logsumexp(dim: number | number[], keepdim = false): Tensor { return red.logsumexp(this, dim, keepdim); }
  /** Sums broadcast dimensions away so the result has `shape` (the inverse of broadcasting). */
  sumTo(shape: Shape): Tensor { return red.sumTo(this, shape); }

  // ---- linear algebra ---------------------------------------------------------------------
  matmul(o: Tensor): Tensor { return mm.matmul(this, o); }

  // ---- shape ------------------------------------------------------------------------------
  reshape(...shape: number[] | [number[]]): Tensor { return sh.reshape(this, flatArgs(shape)); }
  view(...shape: number[] | [number[]]): Tensor { return sh.reshape(this, flatArgs(shape)); }
  permute(...dims: number[] | [number[]]): Tensor { return sh.permute(this, flatArgs(dims)); }
  transpose(d0: number, d1: number): Tensor { return sh.transpose(this, d0, d1); }
  /** Transpose of a 2-D tensor. */
  t(): Tensor {
    if (this.ndim !== 2) throw new Error(`t(): expects a 2-D tensor, got shape ${formatShape(this.shape)}; use transpose(d0, d1)`);
    return sh.transpose(this, 0, 1);
  }
  get T(): Tensor { return this.t(); }
  squeeze(dim?: number): Tensor { return sh.squeeze(this, dim); }
  unsqueeze(dim: number): Tensor { return sh.unsqueeze(this, dim); }
  flatten(startDim = 0, endDim = -1): Tensor { return sh.flatten(this, startDim, endDim); }
  expand(...shape: number[] | [number[]]): Tensor { return sh.expand(this, flatArgs(shape)); }
  narrow(dim: number, start: number, length: number): Tensor { return sh.narrow(this, dim, start, length); }
  /** Elements start, start+step, ... < end along dim (PyTorch's x[..., start:end:step, ...]). */
  slice(dim: number, start?: number, end?: number, step = 1): Tensor { return sh.slice(this, dim, start, end, step); }
  /** Selects one index along dim and removes that dim (x[i] for dim 0). */
  select(dim: number, index: number): Tensor { return sh.select(this, dim, index); }
  indexSelect(dim: number, index: Tensor | number[]): Tensor { return sh.indexSelect(this, dim, index); }
  gather(dim: number, index: Tensor): Tensor { return sh.gather(this, dim, index); }
  split(sizeOrSections: number | number[], dim = 0): Tensor[] { return sh.split(this, sizeOrSections, dim); }
  chunk(chunks: number, dim = 0): Tensor[] { return sh.chunk(this, chunks, dim); }
}

function flatArgs(args: number[] | [number[]]): number[] {
  return Array.isArray(args[0]) ? (args[0] as number[]) : (args as number[]);
}

/** A tensor that a Module registers as trainable. */
export class Parameter extends Tensor {
  constructor(t: Tensor, requiresGrad = true) {
    super(t.data, t.shape, 'float32');
    if (t.dtype !== 'float32') throw new Error('Parameter: parameters must be float32 tensors');
    this.requiresGrad = requiresGrad;
  }
}
