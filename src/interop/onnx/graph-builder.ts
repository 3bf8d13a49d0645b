import { AttributeType, DataType, type AttributeMessage, type NodeMessage, type TensorMessage } from './proto.js';

/** A node attribute with its ONNX type made explicit (ONNX tells 1 from 1.0). */
export type Attr =
  | { int: number } | { float: number } | { ints: number[] } | { floats: number[] } | { string: string };

export const int = (v: number): Attr => ({ int: v });
export const float = (v: number): Attr => ({ float: v });
export const ints = (v: number[]): Attr => ({ ints: v });
export const str = (v: string): Attr => ({ string: v });

function attribute(name: string, a: Attr): AttributeMessage {
  if ('int' in a) return { name, type: AttributeType.INT, i: a.int };
  if ('float' in a) return { name, type: AttributeType.FLOAT, f: a.float };
  if ('ints' in a) return { name, type: AttributeType.INTS, ints: a.ints };
  if ('floats' in a) return { name, type: AttributeType.FLOATS, floats: a.floats };
  return { name, type: AttributeType.STRING, s: new TextEncoder().encode(a.string) };
}

/** Little-endian bytes of a typed array (ONNX raw_data is little-endian, as every host we run on). */
function rawBytes(data: Float32Array | BigInt64Array | Int32Array): Uint8Array {
  return new Uint8Array(data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength));
}

export function floatTensor(name: string, dims: number[], data: Float32Array): TensorMessage {
  return { name, dims, data_type: DataType.FLOAT, raw_data: rawBytes(data) };
}

export function int64Tensor(name: string, dims: number[], data: number[]): TensorMessage {
  return { name, dims, data_type: DataType.INT64, raw_data: rawBytes(BigInt64Array.from(data.map((v) => BigInt(v)))) };
}

/**
 * Collects the nodes and initializers of one ONNX graph. Values are named by the module path
 * that made them (`features.3/Conv`), so a runtime error points at the layer; weights are
 * initializers named exactly as in the state dict (`features.3.weight`); other constants are
 * Constant nodes, which keeps the initializer list equal to the exported state dict.
 */
export class GraphBuilder {
  readonly nodes: NodeMessage[] = [];
  readonly initializers: TensorMessage[] = [];
  readonly #usedNames = new Set<string>();
  readonly #initializerNames = new Set<string>();

  constructor(readonly opset: number) {}

  /** A value name not used before, derived from hint. */
  fresh(hint: string): string {
    let name = hint, k = 1;
    while (this.#usedNames.has(name)) name = `${hint}_${k++}`;
    this.#usedNames.add(name);
    return name;
  }

  reserve(name: string): void {
    this.#usedNames.add(name);
  }

  /** Adds a weight once (shared parameters are referenced, not copied) and returns its name. */
  initializer(name: string, dims: number[], data: Float32Array): string {
    if (!this.#initializerNames.has(name)) {
      this.#initializerNames.add(name);
      this.#usedNames.add(name);
      this.initializers.push(floatTensor(name, dims, data));
    }
    return name;
  }

  /** Adds one node and returns its single output's name. */
  node(opType: string, inputs: string[], scope: string, attrs: Record<string, Attr> = {}): string {
    const output = this.fresh(`${scope ? `${scope}/` : ''}${opType}`);
    this.nodes.push({
      name: output, op_type: opType, input: inputs, output: [output],
      attribute: Object.entries(attrs).map(([k, a]) => attribute(k, a)),
    });
    return output;
  }

  /** A float constant of the given shape (a Constant node). */
  constFloat(scope: string, values: number[], dims: number[] = []): string {
    const output = this.fresh(`${scope ? `${scope}/` : ''}Constant`);
    this.nodes.push({
      name: output, op_type: 'Constant', input: [], output: [output],
      attribute: [{ name: 'value', type: AttributeType.TENSOR, t: floatTensor('', dims, Float32Array.from(values)) }],
    });
    return output;
  }

  /** A 1-D int64 constant (shapes and axes). */
  constInts(scope: string, values: number[]): string {
    const output = this.fresh(`${scope ? `${scope}/` : ''}Constant`);
    this.nodes.push({
      name: output, op_type: 'Constant', input: [], output: [output],
      attribute: [{ name: 'value', type: AttributeType.TENSOR, t: int64Tensor('', [values.length], values) }],
    });
    return output;
  }

  /** ReduceMean over axes keeping dims; axes moved from an attribute to an input in opset 18. */
  reduceMean(x: string, axes: number[], scope: string): string {
    if (this.opset >= 18) return this.node('ReduceMean', [x, this.constInts(scope, axes)], scope, { keepdims: int(1) });
    return this.node('ReduceMean', [x], scope, { axes: ints(axes), keepdims: int(1) });
  }

  /** (x - mean) / sqrt(var + eps) over axes, with the biased variance (as torch's norms). */
  normalize(x: string, axes: number[], eps: number, scope: string): string {
    const mean = this.reduceMean(x, axes, scope);
    const centered = this.node('Sub', [x, mean], scope);
    const variance = this.reduceMean(this.node('Mul', [centered, centered], scope), axes, scope);
    const std = this.node('Sqrt', [this.node('Add', [variance, this.constFloat(scope, [eps])], scope)], scope);
    return this.node('Div', [centered, std], scope);
  }
}
