import type { Tensor } from '../../tensor/tensor.js';
import type { Module } from '../../nn/module.js';
import { Linear } from '../../nn/linear.js';
import { Conv2d } from '../../nn/conv.js';
import { MaxPool2d, AvgPool2d, AdaptiveAvgPool2d } from '../../nn/pool.js';
import { BatchNorm1d, BatchNorm2d, LayerNorm, GroupNorm, InstanceNorm2d } from '../../nn/norm.js';
import { ReLU, LeakyReLU, ELU, GELU, SiLU, Sigmoid, Tanh, Softmax, LogSoftmax, Softplus, Identity } from '../../nn/activation.js';
import { Sequential, Residual, Flatten, Dropout } from '../../nn/containers.js';
import { Embedding } from '../../nn/embedding.js';
import { pair } from '../../ops/conv.js';
import { float, int, ints, str, type GraphBuilder } from './graph-builder.js';

/** A value in the graph being built: its name and its shape for a batch of one (dim 0 is the batch). */
export interface Value {
  name: string;
  shape: number[];
}

export interface LowerContext {
  g: GraphBuilder;
  /** The module's path in the model ('' for the root, 'features.3'), used for node names and errors. */
  scope: string;
  /** The state-dict name of a parameter or buffer of the model. */
  nameOf(t: Tensor): string;
  /** Lowers a child module (containers call this). */
  lower(m: Module, x: Value, scope: string): Value;
  /** The output shape of a leaf module for this input, from running it on zeros (batch 1). */
  outShape(m: Module, x: Value): number[];
}

type Lowering<M extends Module> = (m: M, x: Value, c: LowerContext) => Value;

/** A weight as an initializer named as in the state dict. */
function weight(c: LowerContext, t: Tensor): string {
  return c.g.initializer(c.nameOf(t), [...t.shape], t.f32);
}

/** The affine parameters of a norm layer, or ones/zeros constants when it has none. */
function scaleAndBias(c: LowerContext, w: Tensor | null, b: Tensor | null, shape: number[]): [string, string] {
  const n = shape.reduce((p, d) => p * d, 1);
  return [
    w ? weight(c, w) : c.g.constFloat(c.scope, new Array<number>(n).fill(1), shape),
    b ? weight(c, b) : c.g.constFloat(c.scope, new Array<number>(n).fill(0), shape),
  ];
}

const axis = (dim: number, rank: number): number => (dim < 0 ? dim + rank : dim);
const same = (x: Value, name: string): Value => ({ name, shape: x.shape });
const unary = (op: string, attrs: (m: never) => Record<string, ReturnType<typeof int>> = () => ({})): Lowering<Module> =>
  (m, x, c) => same(x, c.g.node(op, [x.name], c.scope, attrs(m as never)));

function lowerLinear(m: Linear, x: Value, c: LowerContext): Value {
  const w = weight(c, m.weight);
  const shape = [...x.shape.slice(0, -1), m.outFeatures];
  if (x.shape.length === 2) {
    // Gemm computes x W^T + b directly from the (out, in) weight, as torch.onnx does for 2-D input.
    const inputs = m.bias ? [x.name, w, weight(c, m.bias)] : [x.name, w];
    return { name: c.g.node('Gemm', inputs, c.scope, { transB: int(1) }), shape };
  }
  const wt = c.g.node('Transpose', [w], c.scope, { perm: ints([1, 0]) });
  const y = c.g.node('MatMul', [x.name, wt], c.scope);
  return { name: m.bias ? c.g.node('Add', [y, weight(c, m.bias)], c.scope) : y, shape };
}

function lowerConv(m: Conv2d, x: Value, c: LowerContext): Value {
  const [kh, kw] = pair(m.kernelSize);
  const inputs = [x.name, weight(c, m.weight), ...(m.bias ? [weight(c, m.bias)] : [])];
  const name = c.g.node('Conv', inputs, c.scope, {
    kernel_shape: ints([kh, kw]), strides: ints(m.stride), dilations: ints(m.dilation), group: int(m.groups),
    pads: ints([m.padding[0], m.padding[1], m.padding[0], m.padding[1]]),
  });
  return { name, shape: c.outShape(m, x) };
}

function poolAttrs(kernel: [number, number], o: { stride?: number | [number, number]; padding?: number | [number, number] }) {
  const [ph, pw] = pair(o.padding ?? 0);
  return { kernel_shape: ints(kernel), strides: ints(pair(o.stride ?? kernel)), pads: ints([ph, pw, ph, pw]), ceil_mode: int(0) };
}

function lowerMaxPool(m: MaxPool2d, x: Value, c: LowerContext): Value {
  return { name: c.g.node('MaxPool', [x.name], c.scope, poolAttrs(pair(m.kernelSize), m.opts)), shape: c.outShape(m, x) };
}

function lowerAvgPool(m: AvgPool2d, x: Value, c: LowerContext): Value {
  // Written explicitly: ONNX's default is 0, torch's (and ours) is to count the padding.
  const attrs = { ...poolAttrs(pair(m.kernelSize), m.opts), count_include_pad: int(m.opts.countIncludePad ?? true ? 1 : 0) };
  return { name: c.g.node('AveragePool', [x.name], c.scope, attrs), shape: c.outShape(m, x) };
}

function lowerAdaptiveAvgPool(m: AdaptiveAvgPool2d, x: Value, c: LowerContext): Value {
  const [oh, ow] = pair(m.outputSize);
  const [h, w] = x.shape.slice(2);
  const shape = c.outShape(m, x);
  if (oh === 1 && ow === 1) return { name: c.g.node('GlobalAveragePool', [x.name], c.scope), shape };
  if (h % oh === 0 && w % ow === 0) {
    // Equal windows that tile the input: an ordinary average pool computes the same thing.
    const k: [number, number] = [h / oh, w / ow];
    return { name: c.g.node('AveragePool', [x.name], c.scope, { kernel_shape: ints(k), strides: ints(k) }), shape };
  }
  throw new UnexportableError(c.scope, m, `output ${oh}x${ow} does not tile the ${h}x${w} input into equal windows (ONNX has no adaptive pooling; only global or evenly dividing sizes export)`);
}

function lowerBatchNorm(m: BatchNorm1d | BatchNorm2d, x: Value, c: LowerContext): Value {
  if (!m.trackRunningStats) throw new UnexportableError(c.scope, m, 'trackRunningStats=false uses batch statistics at inference, which an inference graph cannot reproduce');
  const [scale, bias] = scaleAndBias(c, m.weight, m.bias, [m.numFeatures]);
  const inputs = [x.name, scale, bias, weight(c, m.buffer('running_mean')), weight(c, m.buffer('running_var'))];
  return same(x, c.g.node('BatchNormalization', inputs, c.scope, { epsilon: float(m.eps) }));
}

function lowerLayerNorm(m: LayerNorm, x: Value, c: LowerContext): Value {
  const eps = m.opts.eps ?? 1e-5;
  const k = m.normalizedShape.length;
  if (c.g.opset >= 17) {
    const [scale, bias] = scaleAndBias(c, m.weight, m.bias, m.normalizedShape);
    return same(x, c.g.node('LayerNormalization', [x.name, scale, bias], c.scope, { axis: int(-k), epsilon: float(eps) }));
  }
  const axes = Array.from({ length: k }, (_, i) => x.shape.length - k + i);
  let y = c.g.normalize(x.name, axes, eps, c.scope);
  if (m.weight) y = c.g.node('Mul', [y, weight(c, m.weight)], c.scope);
  if (m.bias) y = c.g.node('Add', [y, weight(c, m.bias)], c.scope);
  return same(x, y);
}

/** Per-channel weights reshaped to (C, 1, ..., 1) so they broadcast over (N, C, *). */
function perChannel(c: LowerContext, t: Tensor, rank: number): string {
  return c.g.node('Reshape', [weight(c, t), c.g.constInts(c.scope, [t.shape[0], ...new Array<number>(rank - 2).fill(1)])], c.scope);
}

function lowerGroupNorm(m: GroupNorm, x: Value, c: LowerContext): Value {
  // Decomposed into primitives: GroupNormalization (opset 18/21) is not reliably supported by runtimes.
  const grouped = c.g.node('Reshape', [x.name, c.g.constInts(c.scope, [0, m.numGroups, -1])], c.scope);
  const normalized = c.g.normalize(grouped, [2], m.opts.eps ?? 1e-5, c.scope);
  let y = c.g.node('Reshape', [normalized, c.g.node('Shape', [x.name], c.scope)], c.scope);
  if (m.weight) y = c.g.node('Mul', [y, perChannel(c, m.weight, x.shape.length)], c.scope);
  if (m.bias) y = c.g.node('Add', [y, perChannel(c, m.bias, x.shape.length)], c.scope);
  return same(x, y);
}

function lowerInstanceNorm(m: InstanceNorm2d, x: Value, c: LowerContext): Value {
  const [scale, bias] = scaleAndBias(c, m.weight, m.bias, [m.numFeatures]);
  return same(x, c.g.node('InstanceNormalization', [x.name, scale, bias], c.scope, { epsilon: float(m.opts.eps ?? 1e-5) }));
}

function lowerGelu(m: GELU, x: Value, c: LowerContext): Value {
  const { g, scope } = c;
  if (g.opset >= 20) return same(x, g.node('Gelu', [x.name], scope, { approximate: str(m.approximate) }));
  const half = g.node('Mul', [x.name, g.constFloat(scope, [0.5])], scope);
  let inner: string;
  if (m.approximate === 'tanh') {
    // 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))
    const cube = g.node('Mul', [x.name, g.node('Mul', [x.name, x.name], scope)], scope);
    const poly = g.node('Add', [x.name, g.node('Mul', [cube, g.constFloat(scope, [0.044715])], scope)], scope);
    inner = g.node('Tanh', [g.node('Mul', [poly, g.constFloat(scope, [Math.sqrt(2 / Math.PI)])], scope)], scope);
  } else {
    // 0.5 x (1 + erf(x / sqrt(2)))
    inner = g.node('Erf', [g.node('Div', [x.name, g.constFloat(scope, [Math.SQRT2])], scope)], scope);
  }
  return same(x, g.node('Mul', [half, g.node('Add', [inner, g.constFloat(scope, [1])], scope)], scope));
}

function lowerFlatten(m: Flatten, x: Value, c: LowerContext): Value {
  const rank = x.shape.length;
  const start = axis(m.startDim, rank), end = axis(m.endDim, rank);
  const shape = c.outShape(m, x);
  if (start === 1 && end === rank - 1) return { name: c.g.node('Flatten', [x.name], c.scope, { axis: int(1) }), shape };
  if (start === 0) throw new UnexportableError(c.scope, m, 'flattening the batch dimension (startDim=0) is not exported; the batch must stay dimension 0');
  // Reshape keeps dim 0 (the batch) with 0 and spells out the rest, which are fixed.
  return { name: c.g.node('Reshape', [x.name, c.g.constInts(c.scope, [0, ...shape.slice(1)])], c.scope), shape };
}

function lowerEmbedding(m: Embedding, x: Value, c: LowerContext): Value {
  return { name: c.g.node('Gather', [weight(c, m.weight), x.name], c.scope, { axis: int(0) }), shape: [...x.shape, m.embeddingDim] };
}

function lowerSequential(m: Sequential, x: Value, c: LowerContext): Value {
  // Each child on its own: the fused Conv2d+ReLU(+MaxPool2d) path computes the same numbers.
  let y = x;
  for (let i = 0; i < m.length; i++) y = c.lower(m[i], y, c.scope ? `${c.scope}.${i}` : String(i));
  return y;
}

function lowerResidual(m: Residual, x: Value, c: LowerContext): Value {
  const inner = c.lower(m.inner, x, c.scope ? `${c.scope}.inner` : 'inner');
  return same(x, c.g.node('Add', [x.name, inner.name], c.scope));
}

/**
 * Every exportable layer, by exact class: a subclass may override forward, which the export
 * cannot see, so it is refused rather than exported wrongly.
 */
export const lowerings = new Map<unknown, Lowering<never>>([
  [Linear, lowerLinear], [Conv2d, lowerConv], [MaxPool2d, lowerMaxPool], [AvgPool2d, lowerAvgPool],
  [AdaptiveAvgPool2d, lowerAdaptiveAvgPool], [BatchNorm1d, lowerBatchNorm], [BatchNorm2d, lowerBatchNorm],
  [LayerNorm, lowerLayerNorm], [GroupNorm, lowerGroupNorm], [InstanceNorm2d, lowerInstanceNorm],
  [ReLU, unary('Relu')], [Sigmoid, unary('Sigmoid')], [Tanh, unary('Tanh')], [Softplus, unary('Softplus')],
  [LeakyReLU, unary('LeakyRelu', (m: LeakyReLU) => ({ alpha: float(m.negativeSlope) }))],
  [ELU, unary('Elu', (m: ELU) => ({ alpha: float(m.alpha) }))],
  [Softmax, (m: Softmax, x: Value, c: LowerContext) => same(x, c.g.node('Softmax', [x.name], c.scope, { axis: int(axis(m.dim, x.shape.length)) }))],
  [LogSoftmax, (m: LogSoftmax, x: Value, c: LowerContext) => same(x, c.g.node('LogSoftmax', [x.name], c.scope, { axis: int(axis(m.dim, x.shape.length)) }))],
  [SiLU, (_m: SiLU, x: Value, c: LowerContext) => same(x, c.g.node('Mul', [x.name, c.g.node('Sigmoid', [x.name], c.scope)], c.scope))],
  [GELU, lowerGelu], [Identity, (_m: Identity, x: Value) => x], [Dropout, (_m: Dropout, x: Value) => x],
  [Flatten, lowerFlatten], [Embedding, lowerEmbedding], [Sequential, lowerSequential], [Residual, lowerResidual],
] as Array<[unknown, Lowering<never>]>);

/** A module the ONNX export cannot write, named by its path in the model and its class. */
export class UnexportableError extends Error {
  constructor(readonly path: string, module: Module, reason: string) {
    super(`ONNX export: cannot export ${path ? `'${path}'` : 'the model'} (${module.constructor.name}): ${reason}`);
    this.name = 'UnexportableError';
  }
}
