import { Tensor } from '../tensor/tensor.js';
import { backend } from '../backend/registry.js';
import { emptyF32 } from '../backend/alloc.js';
import { record } from '../autograd/record.js';
import { takeGradDestination } from '../autograd/grad-destination.js';
import { broadcastShapes, formatShape, numel, sameShape, ShapeError } from '../tensor/shape.js';
import { toFloat32 } from './elementwise.js';
import { expand, reshape, squeeze, unsqueeze } from './shape.js';
import { reluBackward } from './activation.js';

/**
 * Batched product of op(a) and op(b), where op transposes the last two dims when asked.
 * Transposes never materialize: they are GEMM flags. Batch dims broadcast like NumPy.
 */
export function matmulT(a: Tensor, b: Tensor, transA: boolean, transB: boolean, op = 'matmul'): Tensor {
  if (a.ndim < 2 || b.ndim < 2) throw new ShapeError(`${op}: expects tensors of rank >= 2, got ${formatShape(a.shape)} and ${formatShape(b.shape)}`);
  a = toFloat32(a); b = toFloat32(b);
  const [ar, ac] = a.shape.slice(-2), [br, bc] = b.shape.slice(-2);
  const m = transA ? ac : ar, k = transA ? ar : ac;
  const k2 = transB ? bc : br, n = transB ? br : bc;
  if (k !== k2) {
    throw new ShapeError(
      `${op}: shapes ${formatShape(a.shape)}${transA ? '^T' : ''} and ${formatShape(b.shape)}${transB ? '^T' : ''} cannot be multiplied: ` +
      `the left operand has ${k} columns but the right has ${k2} rows`,
    );
  }
  const batchA = a.shape.slice(0, -2), batchB = b.shape.slice(0, -2);
  const batchShape = broadcastShapes(op, batchA, batchB);
  const batch = numel(batchShape);
  const fit = (t: Tensor, bs: readonly number[]): [Tensor, number] => {
    const per = t.shape[t.ndim - 2] * t.shape[t.ndim - 1];
    if (numel(bs) === 1) return [t, batch > 1 ? 0 : per];
    if (sameShape(bs, batchShape)) return [t, per];
    return [expand(t, [...batchShape, ...t.shape.slice(-2)]), per];
  };
  const [ea, sa] = fit(a, batchA);
  const [eb, sb] = fit(b, batchB);
  const out = emptyF32(batch * m * n);
  backend().gemm(transA, transB, m, n, k, 1, ea.f32, 0, eb.f32, 0, 0, out, 0, batch, sa, sb, m * n);
  const result = new Tensor(out, [...batchShape, m, n]);
  return record(result, op, [a, b], (g) => {
    // Gradients of C = op(A) op(B); each written as another product with transpose flags.
    // A product is skipped when its input needs no gradient (e.g. the data entering layer 1).
    const ga = a.requiresGrad, gb = b.requiresGrad;
    if (!transA && !transB) return [ga ? matmulT(g, b, false, true) : null, gb ? matmulT(a, g, true, false) : null];
    if (transA && !transB) return [ga ? matmulT(b, g, false, true) : null, gb ? matmulT(a, g, false, false) : null];
    if (!transA && transB) return [ga ? matmulT(g, b, false, false) : null, gb ? matmulT(g, a, true, false) : null];
    return [ga ? matmulT(b, g, true, true) : null, gb ? matmulT(g, a, true, true) : null];
  });
}

/** torch.matmul: dot, matrix-vector, matrix-matrix and broadcast batched products. */
export function matmul(a: Tensor, b: Tensor): Tensor {
  if (a.ndim === 0 || b.ndim === 0) throw new ShapeError(`matmul: both operands need at least one dimension, got ${formatShape(a.shape)} and ${formatShape(b.shape)}`);
  if (a.ndim === 1 && b.ndim === 1) return reshape(matmulT(unsqueeze(a, 0), unsqueeze(b, 1), false, false), []);
  if (a.ndim === 1) return squeeze(matmulT(unsqueeze(a, 0), b, false, false), -2);
  if (b.ndim === 1) return squeeze(matmulT(a, unsqueeze(b, 1), false, false), -1);
  return matmulT(a, b, false, false);
}

/**
 * A linear layer's dW = gz^T x: written into W's zeroed .grad when the sweep hands it out
 * (grad-destination.ts; beta = 1 onto zeros, the bits of a fresh product), else a fresh tensor.
 */
function weightGrad(gz: Tensor, x: Tensor, w: Tensor): Tensor {
  const dst = takeGradDestination(w);
  if (dst === null) return matmulT(gz, x, true, false);
  const rows = x.shape[0], outF = w.shape[0], inF = w.shape[1];
  backend().gemm(true, false, outF, inF, rows, 1, gz.f32, 0, x.f32, 0, 1, dst.f32, 0, 1, rows * outF, rows * inF, outF * inF);
  return dst;
}

/** y = x W^T + b over the last dim of x, with W of shape (out, in) like torch.nn.functional.linear. */
export function linear(x: Tensor, weight: Tensor, bias?: Tensor | null): Tensor {
  return linearOp(x, weight, bias ?? null, false);
}

/** relu(linear(x, weight, bias)) as one op: what nn.Sequential runs for a plain Linear -> ReLU. */
export function linearRelu(x: Tensor, weight: Tensor, bias?: Tensor | null): Tensor {
  return linearOp(x, weight, bias ?? null, true);
}

/**
 * The product, the bias and the relu as one op on the tape: the bias is added and the relu
 * applied in place on the product's output by the same kernels the separate ops run (so the
 * numbers are theirs, bit for bit), without two more tensors and tape nodes per layer (at batch
 * 64 the JavaScript around each op costs about as much as a small GEMM). relu(z) > 0 exactly
 * where z > 0, so the output itself gates the gradient.
 */
function linearOp(x: Tensor, weight: Tensor, bias: Tensor | null, relu: boolean): Tensor {
  if (weight.ndim !== 2) throw new ShapeError(`linear: weight must be 2-D (out, in), got ${formatShape(weight.shape)}`);
  const inF = weight.shape[1], outF = weight.shape[0];
  if (x.ndim === 0 || x.shape[x.ndim - 1] !== inF) {
    throw new ShapeError(
      `linear: input of shape ${formatShape(x.shape)} has ${x.shape[x.ndim - 1] ?? 0} features in its last dimension, ` +
      `but the weight ${formatShape(weight.shape)} expects ${inF}. Flatten the input or fix the layer's in_features.`,
    );
  }
  if (bias && (bias.ndim !== 1 || bias.shape[0] !== outF)) {
    // Anything but a (out,) bias goes through the general broadcasting add.
    const y = linearOp(x, weight, null, false).add(bias);
    return relu ? y.relu() : y;
  }
  const lead = x.shape.slice(0, -1);
  const x2 = toFloat32(x.ndim === 2 ? x : reshape(x, [-1, inF]));
  const w = toFloat32(weight);
  const rows = x2.shape[0];
  const out = emptyF32(rows * outF);
  const be = backend();
  be.gemm(false, true, rows, outF, inF, 1, x2.f32, 0, w.f32, 0, 0, out, 0, 1, rows * inF, outF * inF, rows * outF);
  if (bias) be.binary('add', out, [outF, 1], toFloat32(bias).f32, [0, 1], out, [rows, outF]);
  if (relu) be.unary('relu', out, out);
  const y = new Tensor(out, [rows, outF]);
  const inputs = bias ? [x2, w, bias] : [x2, w];
  record(y, relu ? 'linear+relu' : 'linear', inputs, (g) => {
    const gz = relu ? reluBackward(g, y) : g;
    // As matmulT's rule for x @ W^T; the bias takes gz whole and the tape sums it over the rows,
    // as it does for the broadcasting add.
    const gx = x2.requiresGrad ? matmulT(gz, w, false, false) : null;
    const gw = w.requiresGrad ? weightGrad(gz, x2, w) : null;
    return bias ? [gx, gw, gz] : [gx, gw];
  });
  return x.ndim === 2 ? y : reshape(y, [...lead, outF]);
}
