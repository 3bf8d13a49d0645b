import { Tensor } from '../tensor/tensor.js';
import { backend } from '../backend/registry.js';
import { emptyF32 } from '../backend/alloc.js';
import type { Conv2dGeometry } from '../backend/backend.js';
import { record } from '../autograd/record.js';
import { formatShape, ShapeError } from '../tensor/shape.js';

/** 2-D convolution (cross-correlation, as torch.nn.functional.conv2d) and its two gradients. */

export type Pair = number | [number, number];
export interface Conv2dOptions {
  stride?: Pair;
  padding?: Pair;
  dilation?: Pair;
  groups?: number;
}

export const pair = (v: Pair): [number, number] => (Array.isArray(v) ? v : [v, v]);

function checkPositiveInts(op: string, name: string, v: [number, number], min: number): void {
  for (const x of v) if (!Number.isInteger(x) || x < min) throw new ShapeError(`${op}: ${name} must be integers >= ${min}, got ${v.join(', ')}`);
}

export function convGeometry(xShape: readonly number[], wShape: readonly number[], o: Conv2dOptions): Conv2dGeometry {
  if (xShape.length !== 4) throw new ShapeError(`conv2d: input must be 4-D (N, C, H, W), got ${formatShape(xShape)}. For a single image add a batch dim with unsqueeze(0).`);
  if (wShape.length !== 4) throw new ShapeError(`conv2d: weight must be 4-D (outChannels, inChannels/groups, kH, kW), got ${formatShape(wShape)}`);
  const [n, c, h, w] = xShape;
  const [oc, cg, kh, kw] = wShape;
  const groups = o.groups ?? 1;
  const [strideH, strideW] = pair(o.stride ?? 1), [padH, padW] = pair(o.padding ?? 0), [dilationH, dilationW] = pair(o.dilation ?? 1);
  checkPositiveInts('conv2d', 'stride', [strideH, strideW], 1);
  checkPositiveInts('conv2d', 'padding', [padH, padW], 0);
  checkPositiveInts('conv2d', 'dilation', [dilationH, dilationW], 1);
  if (!Number.isInteger(groups) || groups < 1 || c % groups !== 0 || oc % groups !== 0) {
    throw new ShapeError(`conv2d: groups=${groups} must divide both the input channels (${c}) and the output channels (${oc})`);
  }
  if (cg * groups !== c) {
    throw new ShapeError(`conv2d: input ${formatShape(xShape)} has ${c} channels but the weight ${formatShape(wShape)} expects ${cg * groups} (${cg} per group x ${groups} groups)`);
  }
  const oh = Math.floor((h + 2 * padH - dilationH * (kh - 1) - 1) / strideH) + 1;
  const ow = Math.floor((w + 2 * padW - dilationW * (kw - 1) - 1) / strideW) + 1;
  if (oh < 1 || ow < 1) {
    throw new ShapeError(`conv2d: the ${kh}x${kw} kernel (dilation ${dilationH}x${dilationW}) does not fit the ${h}x${w} input with padding ${padH}x${padW}`);
  }
  return { n, c, h, w, oc, kh, kw, strideH, strideW, padH, padW, dilationH, dilationW, groups, oh, ow };
}

/** The convolution's output (bias and relu applied in the kernel when given), not recorded. */
export function convRaw(x: Tensor, w: Tensor, g: Conv2dGeometry, bias: Tensor | null = null, relu = false): Tensor {
  const out = emptyF32(g.n * g.oc * g.oh * g.ow);
  backend().conv2d(x.f32, w.f32, out, g, bias ? bias.f32 : null, relu);
  return new Tensor(out, [g.n, g.oc, g.oh, g.ow]);
}

/**
 * The convolution as a differentiable op of (x, w) and, when given, the bias (added by the
 * kernel while each image's output is in cache); every gradient is itself a differentiable op.
 */
function convOp(x: Tensor, w: Tensor, g: Conv2dGeometry, bias: Tensor | null = null): Tensor {
  return record(convRaw(x, w, g, bias), 'conv2d', bias ? [x, w, bias] : [x, w], (gy) => convGradients(x, w, bias, gy, g));
}

/** d conv / d x applied to gy: linear in (gy, w). */
function convInputGrad(gy: Tensor, w: Tensor, g: Conv2dGeometry): Tensor {
  const gx = emptyF32(g.n * g.c * g.h * g.w);
  backend().conv2dBackwardInput(gy.f32, w.f32, gx, g);
  return record(new Tensor(gx, [g.n, g.c, g.h, g.w]), 'conv2dInputGrad', [gy, w], (gz) => [gy.requiresGrad ? convOp(gz, w, g) : null, w.requiresGrad ? convWeightGrad(gz, gy, g) : null]);
}

/** d conv / d w applied to gy: linear in (x, gy). */
function convWeightGrad(x: Tensor, gy: Tensor, g: Conv2dGeometry): Tensor {
  const gw = emptyF32(g.oc * (g.c / g.groups) * g.kh * g.kw);
  backend().conv2dBackwardWeight(x.f32, gy.f32, gw, g);
  return record(new Tensor(gw, [g.oc, g.c / g.groups, g.kh, g.kw]), 'conv2dWeightGrad', [x, gy], (gz) => [x.requiresGrad ? convInputGrad(gy, gz, g) : null, gy.requiresGrad ? convOp(x, gz, g) : null]);
}

/**
 * The gradients of a convolution's inputs (x, w and, when given, the bias) from the gradient
 * gy of its pre-activation output: what every conv op, fused or not, returns from backward.
 */
export function convGradients(x: Tensor, w: Tensor, bias: Tensor | null, gy: Tensor, g: Conv2dGeometry): (Tensor | null)[] {
  const grads = [x.requiresGrad ? convInputGrad(gy, w, g) : null, w.requiresGrad ? convWeightGrad(x, gy, g) : null];
  return bias ? [...grads, bias.requiresGrad ? channelSum(gy) : null] : grads;
}

/**
 * A convolution call's checked geometry and float inputs (the bias must hold one value per
 * output channel), shared by conv2d and the fused ops.
 */
export function convCall(x: Tensor, weight: Tensor, bias: Tensor | null | undefined, opts: Conv2dOptions): { g: Conv2dGeometry; x: Tensor; bias: Tensor | null } {
  const g = convGeometry(x.shape, weight.shape, opts);
  if (bias && (bias.ndim !== 1 || bias.shape[0] !== g.oc)) throw new ShapeError(`conv2d: bias must have shape (${g.oc},), got ${formatShape(bias.shape)}`);
  return { g, x: x.float(), bias: bias ? bias.float() : null };
}

/** Sum of an (N, C, H, W) tensor over N, H and W; its gradient broadcasts back. */
function channelSum(gy: Tensor): Tensor {
  const [n, c, h, w] = gy.shape;
  const out = emptyF32(c);
  backend().channelSum(gy.f32, out, n, c, h * w);
  return record(new Tensor(out, [c]), 'channelSum', [gy], (gz) => [gz.reshape([1, c, 1, 1]).expand([n, c, h, w])]);
}

/** torch.nn.functional.conv2d over NCHW input. */
export function conv2d(x: Tensor, weight: Tensor, bias?: Tensor | null, opts: Conv2dOptions = {}): Tensor {
  const c = convCall(x, weight, bias, opts);
  return convOp(c.x, weight, c.g, c.bias);
}
