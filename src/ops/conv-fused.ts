import { Tensor } from '../tensor/tensor.js';
import { record } from '../autograd/record.js';
import { convCall, convRaw, convGradients, type Conv2dOptions, type Pair } from './conv.js';
import { maxPoolRaw, maxPoolBackward, poolGeometryOf, type Pool2dOptions } from './pool.js';
import type { Pool2dGeometry, Conv2dGeometry } from '../backend/backend.js';
import { backend } from '../backend/registry.js';
import { emptyF32, emptyI32 } from '../backend/alloc.js';
import { reluBackward } from './activation.js';
import { isGradEnabled } from '../autograd/grad-mode.js';
import { toFloat32 } from './elementwise.js';

/**
 * Fused convolution ops, what nn.Sequential runs for a plain Conv2d -> ReLU (-> MaxPool2d).
 * Each gives bit-for-bit the numbers of the separate ops with fewer passes over memory:
 * the kernel applies bias and relu while each image's output is in cache, and since
 * relu(z) > 0 exactly where z > 0 the output itself gates the gradient.
 */

/** relu(conv2d(x, weight, bias)) as one op. */
export function conv2dRelu(x: Tensor, weight: Tensor, bias: Tensor | null, opts: Conv2dOptions = {}): Tensor {
  const { g, x: xf, bias: b } = convCall(x, weight, bias, opts);
  const y = convRaw(xf, weight, g, b, true);
  return record(y, 'conv2d+relu', b ? [xf, weight, b] : [xf, weight], (gy) => convGradients(xf, weight, b, reluBackward(gy, y), g));
}

/**
 * maxPool2d(relu(conv2d(x, weight, bias))) as one op. A pooled output is the relu output at the
 * index it picked, so relu's gate can be applied to the pooled gradient (a quarter of the size
 * for 2x2 pooling) before it is scattered back; the full-size activation is not kept.
 */
export function conv2dReluMaxPool(
  x: Tensor, weight: Tensor, bias: Tensor | null, convOpts: Conv2dOptions, kernel: Pair, poolOpts: Pool2dOptions = {},
): Tensor {
  const { g, x: xf, bias: b } = convCall(x, weight, bias, convOpts);
  const fused = fusedPool(xf, weight, b, g, kernel, poolOpts);
  const { out, idx, g: pg } = fused ?? maxPoolRaw(convRaw(xf, weight, g, b, true), kernel, poolOpts);
  return record(out, 'conv2d+relu+maxPool2d', b ? [xf, weight, b] : [xf, weight], (gp) =>
    // A backward that builds no graph needs no full-size gradient tensor (create_graph needs it).
    (fused && !isGradEnabled() ? gradientsFromPooled(xf, weight, b, gp, out, idx, g) : null) ??
      convGradients(xf, weight, b, maxPoolBackward(reluBackward(gp, out), idx, pg), g));
}

/**
 * The convolution's gradients straight from the pooled gradient, when the backend can: each
 * image's full-size gradient lives only in a core's cache (for the MNIST CNN, 9.6 MB a step
 * not written and read back). Null when the backend lacks it or the geometry needs the
 * separate ops.
 */
function gradientsFromPooled(x: Tensor, w: Tensor, b: Tensor | null, gp: Tensor, out: Tensor, idx: Int32Array, g: Conv2dGeometry): (Tensor | null)[] | null {
  const be = backend();
  if (!be.conv2dBackwardFromPooled) return null;
  const gx = x.requiresGrad ? emptyF32(x.size) : null;
  const gw = w.requiresGrad ? emptyF32(w.size) : null;
  const gb = b?.requiresGrad ? emptyF32(b.size) : null;
  if (!be.conv2dBackwardFromPooled(toFloat32(gp).f32, idx, out.f32, x.f32, w.f32, gx, gw, gb, g)) return null;
  const grads = [gx && new Tensor(gx, x.shape), gw && new Tensor(gw, w.shape)];
  return b ? [...grads, gb && new Tensor(gb, b.shape)] : grads;
}

/**
 * The whole op in one backend call when the backend has it and the pooling is 2x2 with stride 2
 * and no padding (the common case): each image's activation is pooled while in cache and never
 * stored at full size. Null when the separate conv2d and maxPool2d must run.
 */
function fusedPool(x: Tensor, w: Tensor, b: Tensor | null, g: Conv2dGeometry, kernel: Pair, o: Pool2dOptions): { out: Tensor; idx: Int32Array; g: Pool2dGeometry } | null {
  const be = backend();
  if (!be.conv2dReluMaxPool2x2 || g.oh < 2 || g.ow < 2) return null;
  const pg = poolGeometryOf('maxPool2d', [g.n, g.oc, g.oh, g.ow], kernel, o);
  if (pg.kh !== 2 || pg.kw !== 2 || pg.strideH !== 2 || pg.strideW !== 2 || pg.padH !== 0 || pg.padW !== 0) return null;
  const out = emptyF32(pg.n * pg.c * pg.oh * pg.ow);
  const idx = emptyI32(out.length);
  be.conv2dReluMaxPool2x2(x.f32, w.f32, b ? b.f32 : null, out, idx, g);
  return { out: new Tensor(out, [pg.n, pg.c, pg.oh, pg.ow]), idx, g: pg };
}
