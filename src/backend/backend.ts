/**
 * The kernel contract. Every backend (the TypeScript reference and the native C++ one)
 * implements exactly this over flat, contiguous, row-major typed arrays. Kernels never
 * allocate their outputs: the caller passes `out` buffers of the right length, so tensors
 * stay plain garbage-collected typed arrays and the native side can write in place.
 *
 * Shapes are passed as plain numbers or number arrays; a kernel trusts its caller (ops/
 * validates shapes and names the user's mistake before a kernel runs).
 */
export type F32 = Float32Array;
export type I32 = Int32Array;

/** Elementwise functions of one argument. Derivatives are composed in ops/, not here. */
export const UNARY_OPS = [
  'neg', 'exp', 'log', 'sqrt', 'rsqrt', 'abs', 'sign', 'relu', 'sigmoid', 'tanh',
  'sin', 'cos', 'reciprocal', 'square', 'log1p', 'expm1', 'floor', 'ceil', 'round',
  'erf', 'isfinite', 'step',
] as const;
export type UnaryOp = (typeof UNARY_OPS)[number];

/** Elementwise functions of two arguments; comparisons yield 1 or 0. */
export const BINARY_OPS = [
  'add', 'sub', 'mul', 'div', 'pow', 'maximum', 'minimum',
  'eq', 'ne', 'lt', 'le', 'gt', 'ge',
  // b > 0 ? a : 0: relu's backward (gradient a, input b) in one pass instead of a * step(b).
  'reluBackward',
] as const;
export type BinaryOp = (typeof BINARY_OPS)[number];

export type ReduceOp = 'sum' | 'max' | 'min';
export type ArgReduceOp = 'argmax' | 'argmin';

/** Geometry of a 2-D convolution over NCHW input and (OC, C/groups, KH, KW) weights. */
export interface Conv2dGeometry {
  n: number; c: number; h: number; w: number;
  oc: number; kh: number; kw: number;
  strideH: number; strideW: number;
  padH: number; padW: number;
  dilationH: number; dilationW: number;
  groups: number;
  oh: number; ow: number;
}

/** Geometry of 2-D pooling over NCHW input (no dilation; padding counts as -inf / is excluded or included per flag). */
export interface Pool2dGeometry {
  n: number; c: number; h: number; w: number;
  kh: number; kw: number;
  strideH: number; strideW: number;
  padH: number; padW: number;
  oh: number; ow: number;
  /** avg pooling only: include zero padding in the divisor (PyTorch's count_include_pad, default true). */
  countIncludePad: boolean;
}

export interface AdamStepArgs {
  lr: number; beta1: number; beta2: number; eps: number;
  weightDecay: number;
  /** true: AdamW (p -= lr*wd*p before the Adam update); false: L2 added to the gradient. */
  decoupled: boolean;
  /** 1 - beta1^t and 1 - beta2^t for the current step t (>= 1). */
  biasCorrection1: number; biasCorrection2: number;
}

export interface SgdStepArgs {
  lr: number; momentum: number; dampening: number; nesterov: boolean; weightDecay: number;
  /** true on the first step with momentum: the buffer is set to the gradient (PyTorch's rule). */
  firstStep: boolean;
}

export interface Backend {
  readonly name: 'js' | 'wasm' | 'native';
  /** A one-line description: CPU features used, thread count. */
  describe(): string;

  /**
   * Batched GEMM: for b in [0, batch): C_b = alpha * op(A_b) @ op(B_b) + beta * C_b,
   * op(A_b) is m x k, op(B_b) is k x n, C_b is m x n with row stride n.
   * A_b starts at aOff + b*strideA (strideA may be 0 to broadcast), stored row-major as
   * m x k (k x m when transA). Likewise B_b (k x n, or n x k when transB), C_b at cOff + b*strideC.
   * beta = 0 means C is overwritten (its old content, even NaN, is ignored).
   */
  gemm(
    transA: boolean, transB: boolean, m: number, n: number, k: number, alpha: number,
    a: F32, aOff: number, b: F32, bOff: number, beta: number, c: F32, cOff: number,
    batch: number, strideA: number, strideB: number, strideC: number,
  ): void;

  unary(op: UnaryOp, x: F32, out: F32): void;
  /** out[i] = op(x[i], s) or, when scalarFirst, op(s, x[i]). */
  binaryScalar(op: BinaryOp, x: F32, s: number, out: F32, scalarFirst: boolean): void;
  /**
   * Broadcasting binary map. outShape is the broadcast shape; aStrides/bStrides are element
   * strides of a and b aligned to outShape (0 along broadcast dimensions). out is contiguous.
   */
  binary(op: BinaryOp, a: F32, aStrides: number[], b: F32, bStrides: number[], out: F32, outShape: number[]): void;
  /** out = cond != 0 ? a : b, all three broadcast to outShape via strides as in `binary`. */
  where(cond: F32, cStrides: number[], a: F32, aStrides: number[], b: F32, bStrides: number[], out: F32, outShape: number[]): void;
  clamp(x: F32, lo: number, hi: number, out: F32): void;

  /** View x as [outer, size, inner]; out is [outer, inner]. */
  reduce(op: ReduceOp, x: F32, outer: number, size: number, inner: number, out: F32): void;
  /**
   * The sum of x[i]^2 over all of x in float64 (gradient norms): element i goes to lane i % 8
   * while whole groups of eight last, the rest to lane 0; the lanes are summed as
   * ((0+1)+(2+3))+((4+5)+(6+7)). Every backend sums in this order, so they agree bit for bit.
   */
  sumSquares(x: F32): number;
  argReduce(op: ArgReduceOp, x: F32, outer: number, size: number, inner: number, out: I32): void;

  /** Gather a strided view into contiguous dst: dst[i] = src[offset + sum_d idx_d * strides[d]]. */
  copyStrided(src: F32 | I32, offset: number, shape: number[], strides: number[], dst: F32 | I32): void;

  /** Row-wise softmax (or log-softmax) of x viewed as [rows, cols]. */
  softmax(x: F32, rows: number, cols: number, out: F32, log: boolean): void;

  /** x viewed as [n, c, inner]: out[ch] = sum over b and i (a conv's bias gradient). */
  channelSum(x: F32, out: F32, n: number, c: number, inner: number): void;

  /** View x as [outer, size, inner], index along the middle axis: out is [outer, idx.length, inner]. */
  indexSelect(x: F32, outer: number, size: number, inner: number, idx: I32, out: F32): void;
  /** Inverse of indexSelect: gx[outer, idx[j], inner] += g[outer, j, inner]. gx must be zeroed by the caller. */
  indexAdd(g: F32, outer: number, size: number, inner: number, idx: I32, gx: F32): void;
  /** torch.gather along the middle axis: idx is [outer, k, inner]; out[o,j,i] = x[o, idx[o,j,i], i]. */
  gather(x: F32, outer: number, size: number, inner: number, idx: I32, k: number, out: F32): void;
  /** Inverse of gather (scatter-add). gx must be zeroed by the caller. */
  scatterAdd(g: F32, outer: number, size: number, inner: number, idx: I32, k: number, gx: F32): void;

  /**
   * Cross-correlation (PyTorch's conv2d). out is (n, oc, oh, ow); with `bias` (length oc) each
   * output channel gets its bias added, and with `relu` every output goes through relu after
   * that (NaN passes, as relu), while the image's output is still in cache.
   */
  conv2d(x: F32, w: F32, out: F32, g: Conv2dGeometry, bias?: F32 | null, relu?: boolean): void;
  /** Gradient wrt the input: gx (n, c, h, w) is overwritten. */
  conv2dBackwardInput(gy: F32, w: F32, gx: F32, g: Conv2dGeometry): void;
  /** Gradient wrt the weights: gw (oc, c/groups, kh, kw) is overwritten. */
  conv2dBackwardWeight(x: F32, gy: F32, gw: F32, g: Conv2dGeometry): void;
  /**
   * Optional: relu(conv2d(x, w) + bias) then 2x2, stride-2 max pooling, without storing the
   * full-size activation; out (n, oc, floor(oh/2), floor(ow/2)) and idx as maxPool2d gives them
   * on conv2d's output, to the bit. Backends without it run conv2d then maxPool2d.
   */
  conv2dReluMaxPool2x2?(x: F32, w: F32, bias: F32 | null, out: F32, idx: I32, g: Conv2dGeometry): void;
  /**
   * Optional: conv2dReluMaxPool2x2's convolution gradients from the pooled gradient gp and the
   * pool's idx, without the full-size gradient in memory; act (the op's pooled output) applies
   * relu's gate first, null when gp is already gated. gx, gw and gb (each null when not wanted)
   * as reluBackward, maxPool2dBackward, then conv2dBackwardInput/Weight and the bias's channel
   * sum give them, to the bit. Returns false, having written nothing, when the geometry needs
   * those separate ops.
   */
  conv2dBackwardFromPooled?(gp: F32, idx: I32, act: F32 | null, x: F32, w: F32, gx: F32 | null, gw: F32 | null, gb: F32 | null, g: Conv2dGeometry): boolean;

  /** Max pooling; idx receives, per output, the flat h*w index of the chosen input within its (n, c) plane. */
  maxPool2d(x: F32, out: F32, idx: I32, g: Pool2dGeometry): void;
  /** gx (n, c, h, w) is overwritten: zero, then gx[plane, idx] += gy. */
  maxPool2dBackward(gy: F32, idx: I32, gx: F32, g: Pool2dGeometry): void;
  avgPool2d(x: F32, out: F32, g: Pool2dGeometry): void;
  /** gx is overwritten. */
  avgPool2dBackward(gy: F32, gx: F32, g: Pool2dGeometry): void;

  /** Fused in-place Adam/AdamW update of one parameter; vmax non-null means AMSGrad. */
  adamStep(p: F32, grad: F32, m: F32, v: F32, vmax: F32 | null, a: AdamStepArgs): void;
  /** Fused in-place SGD update; buf is the momentum buffer (null when momentum = 0). */
  sgdStep(p: F32, grad: F32, buf: F32 | null, a: SgdStepArgs): void;
}
