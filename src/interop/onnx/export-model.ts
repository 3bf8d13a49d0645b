import type { Module } from '../../nn/module.js';
import type { Tensor } from '../../tensor/tensor.js';
import { zeros } from '../../tensor/create.js';
import { noGrad } from '../../autograd/grad-mode.js';
import { Embedding } from '../../nn/embedding.js';
import { Sequential, Residual } from '../../nn/containers.js';
import { GraphBuilder } from './graph-builder.js';
import { lowerings, UnexportableError, type LowerContext, type Value } from './layers.js';
import { DataType, encodeModel, type ValueInfoMessage } from './proto.js';

export interface OnnxExportOptions {
  /** The input's shape including the batch dimension, e.g. [1, 1, 28, 28] (as torch.onnx.export's sample input). */
  inputShape: number[];
  /** ONNX operator set, 13..21 (default 17: loads in ONNX Runtime >= 1.12 and onnx >= 1.12). */
  opset?: number;
  /** Name the batch dimension 'batch' (dim_param) so any batch size runs (default true). */
  dynamicBatch?: boolean;
  /** Input element type: 'int64' when the model starts with an Embedding, else 'float32' (the defaults). */
  inputType?: 'float32' | 'int64';
  /** Stored in the model's doc_string. */
  docString?: string;
}

export const DEFAULT_OPSET = 17;
export const MIN_OPSET = 13;
export const MAX_OPSET = 21;

/** The IR version that goes with an opset (ONNX's versioning table): opset 17-18 -> IR 8, 19-20 -> 9, 21 -> 10. */
export function irVersionFor(opset: number): number {
  return opset <= 18 ? 8 : opset <= 20 ? 9 : 10;
}

function firstLeaf(m: Module): Module {
  if (m instanceof Sequential && m.length > 0) return firstLeaf(m[0]);
  if (m instanceof Residual) return firstLeaf(m.inner);
  return m;
}

/**
 * The model as ONNX bytes (a ModelProto), for ONNX Runtime in Node, the web or mobile. The
 * forward pass is exported in evaluation mode (BatchNorm uses its running statistics, Dropout is
 * left out); the model's own training flag is restored afterwards. Node-free: write the bytes
 * wherever you like, or use `saveOnnx` (Node) / `model.exportOnnx(path, opts)`.
 *
 * @example
 * const bytes = exportOnnx(model, { inputShape: [1, 784] });
 */
export function exportOnnx(model: Module, opts: OnnxExportOptions): Uint8Array {
  const opset = opts.opset ?? DEFAULT_OPSET;
  if (!Number.isInteger(opset) || opset < MIN_OPSET || opset > MAX_OPSET) {
    throw new RangeError(`exportOnnx: opset must be an integer from ${MIN_OPSET} to ${MAX_OPSET}, got ${opset}`);
  }
  const shape = opts.inputShape;
  if (!Array.isArray(shape) || shape.length < 1 || shape.some((d) => !Number.isInteger(d) || d < 1)) {
    throw new RangeError(`exportOnnx: inputShape must list positive integer sizes including the batch, e.g. [1, 784]; got ${JSON.stringify(shape)}`);
  }
  const dynamicBatch = opts.dynamicBatch ?? true;
  const inputType = opts.inputType ?? (firstLeaf(model) instanceof Embedding ? 'int64' : 'float32');

  const names = new Map<Tensor, string>();
  for (const [k, t] of Object.entries(model.stateDict())) if (!names.has(t)) names.set(t, k);
  const g = new GraphBuilder(opset);
  g.reserve('input');
  g.reserve('output');

  const wasTraining = [...model.namedModules()].map(([, m]) => [m, m.training] as const);
  model.eval();
  let out: Value;
  try {
    out = noGrad(() => {
      const context = (scope: string): LowerContext => ({
        g, scope,
        nameOf: (t) => {
          const n = names.get(t);
          if (n === undefined) throw new Error(`ONNX export: '${scope}' uses a tensor that is not in the model's state dict`);
          return n;
        },
        lower: (m, x, s) => lowerModule(m, x, s),
        outShape: (m, x) => [...m.forward(zeros([1, ...x.shape.slice(1)])).shape],
      });
      const lowerModule = (m: Module, x: Value, scope: string): Value => {
        const lower = lowerings.get(Object.getPrototypeOf(m).constructor);
        if (!lower) {
          throw new UnexportableError(scope, m, 'no ONNX lowering for this module class; exportable: Sequential, Residual, Linear, Conv2d, ' +
            'MaxPool2d, AvgPool2d, AdaptiveAvgPool2d, BatchNorm1d/2d, LayerNorm, GroupNorm, InstanceNorm2d, Dropout, Flatten, Embedding, and the activations ' +
            '(a subclass with its own forward cannot be traced: compose the layers in a Sequential instead)');
        }
        if (m.hasForwardHooks) throw new UnexportableError(scope, m, 'it has forward hooks, which the exported graph would not run; remove them first');
        return (lower as (m: Module, x: Value, c: LowerContext) => Value)(m, x, context(scope));
      };
      return lowerModule(model, { name: 'input', shape: [1, ...shape.slice(1)] }, '');
    });
  } finally {
    for (const [m, t] of wasTraining) m.training = t;
  }
  if (out.name === 'input') out = { ...out, name: g.node('Identity', ['input'], '') };
  // The graph's result is called 'output' wherever it is produced or read.
  for (const node of g.nodes) {
    node.input = node.input.map((n) => (n === out.name ? 'output' : n));
    node.output = node.output.map((n) => (n === out.name ? 'output' : n));
  }

  const batchDim = dynamicBatch ? { dim_param: 'batch' } : { dim_value: shape[0] };
  const info = (name: string, elemType: number, dims: number[]): ValueInfoMessage => ({
    name, type: { tensor_type: { elem_type: elemType, shape: { dim: [batchDim, ...dims.slice(1).map((d) => ({ dim_value: d }))] } } },
  });
  return encodeModel({
    ir_version: irVersionFor(opset),
    producer_name: 'tradecraft',
    producer_version: '0.1.0',
    doc_string: opts.docString,
    opset_import: [{ domain: '', version: opset }],
    graph: {
      name: 'tradecraft',
      node: g.nodes,
      initializer: g.initializers,
      input: [info('input', inputType === 'int64' ? DataType.INT64 : DataType.FLOAT, shape)],
      output: [info('output', DataType.FLOAT, out.shape)],
    },
  });
}
