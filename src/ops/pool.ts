import { Tensor } from '../tensor/tensor.js';
import { backend } from '../backend/registry.js';
import { emptyF32, emptyI32 } from '../backend/alloc.js';
import type { Pool2dGeometry } from '../backend/backend.js';
import { record } from '../autograd/record.js';
import { formatShape, ShapeError } from '../tensor/shape.js';
import { pair, type Pair } from './conv.js';
import { gather, reshape } from './shape.js';
import { matmul } from './matmul.js';

/** 2-D max, average and adaptive average pooling over NCHW input. */

export interface Pool2dOptions {
  stride?: Pair;
  padding?: Pair;
  /** Average pooling only: count padded zeros in the divisor (torch default true). */
  countIncludePad?: boolean;
}

function poolGeometry(op: string, x: Tensor, kernel: Pair, o: Pool2dOptions): Pool2dGeometry {
  if (x.ndim !== 4) throw new ShapeError(`${op}: input must be 4-D (N, C, H, W), got ${formatShape(x.shape)}`);
  return poolGeometryOf(op, x.shape, kernel, o);
}

/** The pooling geometry of a 4-D (N, C, H, W) input shape (checked by the caller). */
export function poolGeometryOf(op: string, shape: readonly number[], kernel: Pair, o: Pool2dOptions): Pool2dGeometry {
  const [n, c, h, w] = shape;
  const [kh, kw] = pair(kernel);
  const [strideH, strideW] = pair(o.stride ?? kernel);
  const [padH, padW] = pair(o.padding ?? 0);
  for (const [name, v, min] of [['kernel', kh, 1], ['kernel', kw, 1], ['stride', strideH, 1], ['stride', strideW, 1], ['padding', padH, 0], ['padding', padW, 0]] as const) {
    if (!Number.isInteger(v) || v < min) throw new ShapeError(`${op}: ${name} must be an integer >= ${min}, got ${v}`);
  }
  if (padH * 2 > kh || padW * 2 > kw) throw new ShapeError(`${op}: padding (${padH}, ${padW}) must be at most half the kernel (${kh}, ${kw})`);
  const oh = Math.floor((h + 2 * padH - kh) / strideH) + 1;
  const ow = Math.floor((w + 2 * padW - kw) / strideW) + 1;
  if (oh < 1 || ow < 1) throw new ShapeError(`${op}: the ${kh}x${kw} window does not fit the ${h}x${w} input`);
  return { n, c, h, w, kh, kw, strideH, strideW, padH, padW, oh, ow, countIncludePad: o.countIncludePad ?? true };
}

/** Max pooling without recording: the output, the index each output picked, and the geometry. */
export function maxPoolRaw(x: Tensor, kernel: Pair, opts: Pool2dOptions = {}): { out: Tensor; idx: Int32Array; g: Pool2dGeometry } {
  const g = poolGeometry('maxPool2d', x, kernel, opts);
  const out = emptyF32(g.n * g.c * g.oh * g.ow);
  const idx = emptyI32(out.length);
  backend().maxPool2d(x.f32, out, idx, g);
  return { out: new Tensor(out, [g.n, g.c, g.oh, g.ow]), idx, g };
}

/** Max pooling; the gradient goes to the (first) maximal element of each window. */
export function maxPool2d(x: Tensor, kernel: Pair, opts: Pool2dOptions = {}): Tensor {
  const { out, idx, g } = maxPoolRaw(x, kernel, opts);
  return record(out, 'maxPool2d', [x], (gy) => [maxPoolBackward(gy, idx, g)]);
}

/**
 * The adjoint of max pooling: each output's gradient goes to the input it picked. Seen per
 * (n, c) plane that is a scatter-add at idx, whose own adjoint is a gather, so second
 * derivatives come for free.
 */
export function maxPoolBackward(gy: Tensor, idx: Int32Array, g: Pool2dGeometry): Tensor {
  const gx = emptyF32(g.n * g.c * g.h * g.w);
  backend().maxPool2dBackward(gy.f32, idx, gx, g);
  const planes = g.n * g.c;
  const index = new Tensor(idx, [planes, g.oh * g.ow], 'int32');
  return record(new Tensor(gx, [g.n, g.c, g.h, g.w]), 'maxPool2dBackward', [gy], (gz) => [
    reshape(gather(reshape(gz, [planes, g.h * g.w]), 1, index), [g.n, g.c, g.oh, g.ow]),
  ]);
}

export function avgPool2d(x: Tensor, kernel: Pair, opts: Pool2dOptions = {}): Tensor {
  return avgOp(x, poolGeometry('avgPool2d', x, kernel, opts));
}

function avgOp(x: Tensor, g: Pool2dGeometry): Tensor {
  const out = emptyF32(g.n * g.c * g.oh * g.ow);
  backend().avgPool2d(x.f32, out, g);
  return record(new Tensor(out, [g.n, g.c, g.oh, g.ow]), 'avgPool2d', [x], (gy) => [avgBackward(gy, g)]);
}

function avgBackward(gy: Tensor, g: Pool2dGeometry): Tensor {
  const gx = emptyF32(g.n * g.c * g.h * g.w);
  backend().avgPool2dBackward(gy.f32, gx, g);
  return record(new Tensor(gx, [g.n, g.c, g.h, g.w]), 'avgPool2dBackward', [gy], (gz) => [avgOp(gz, g)]);
}

/** The (out x in) matrix whose rows average PyTorch's adaptive windows [floor(i*in/out), ceil((i+1)*in/out)). */
function adaptiveMatrix(inSize: number, outSize: number): Tensor {
  const m = new Float32Array(outSize * inSize);
  for (let i = 0; i < outSize; i++) {
    const start = Math.floor((i * inSize) / outSize);
    const end = Math.ceil(((i + 1) * inSize) / outSize);
    for (let j = start; j < end; j++) m[i * inSize + j] = 1 / (end - start);
  }
  return new Tensor(m, [outSize, inSize]);
}

/** Adaptive average pooling to (outH, outW); separable, so it is two small matrix products. */
export function adaptiveAvgPool2d(x: Tensor, outputSize: Pair): Tensor {
  if (x.ndim !== 4) throw new ShapeError(`adaptiveAvgPool2d: input must be 4-D (N, C, H, W), got ${formatShape(x.shape)}`);
  const [oh, ow] = pair(outputSize);
  const [, , h, w] = x.shape;
  if (!Number.isInteger(oh) || !Number.isInteger(ow) || oh < 1 || ow < 1) throw new ShapeError(`adaptiveAvgPool2d: output size must be positive integers, got (${oh}, ${ow})`);
  if (h % oh === 0 && w % ow === 0) return avgPool2d(x, [h / oh, w / ow]);
  const rows = matmul(adaptiveMatrix(h, oh), x);
  return matmul(rows, adaptiveMatrix(w, ow).t());
}

