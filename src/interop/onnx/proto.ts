import protobuf from 'protobufjs/light.js';
import { onnxSchema } from './onnx-schema.generated.js';

/**
 * ONNX messages encoded by protobufjs from ONNX's own onnx.proto (compiled to a JSON descriptor by
 * scripts/gen-onnx-schema.mjs). protobufjs/light needs no .proto parser and no file system, so this
 * runs in a browser as well as in Node.
 */
// Built on first use: a program that never exports ONNX does not build the schema's reflection
// objects while the package loads (about 0.3 MB of heap at import).
let modelProto: protobuf.Type | null = null;
const ModelProto = (): protobuf.Type =>
  (modelProto ??= protobuf.Root.fromJSON(onnxSchema as protobuf.INamespace).lookupType('onnx.ModelProto'));

/** TensorProto.DataType values we write. */
export const DataType = { FLOAT: 1, INT32: 6, INT64: 7 } as const;
/** AttributeProto.AttributeType values we write. */
export const AttributeType = { FLOAT: 1, INT: 2, STRING: 3, TENSOR: 4, FLOATS: 6, INTS: 7 } as const;

export interface TensorMessage {
  name?: string;
  dims: number[];
  data_type: number;
  raw_data: Uint8Array;
}

export interface AttributeMessage {
  name: string;
  type: number;
  f?: number;
  i?: number;
  s?: Uint8Array;
  t?: TensorMessage;
  floats?: number[];
  ints?: number[];
}

export interface NodeMessage {
  name: string;
  op_type: string;
  input: string[];
  output: string[];
  attribute: AttributeMessage[];
}

export interface ValueInfoMessage {
  name: string;
  type: { tensor_type: { elem_type: number; shape: { dim: Array<{ dim_value: number } | { dim_param: string }> } } };
}

export interface ModelMessage {
  ir_version: number;
  producer_name: string;
  producer_version: string;
  doc_string?: string;
  opset_import: Array<{ domain: string; version: number }>;
  graph: {
    name: string;
    node: NodeMessage[];
    initializer: TensorMessage[];
    input: ValueInfoMessage[];
    output: ValueInfoMessage[];
  };
}

/** Serializes a ModelProto; a message that does not fit onnx.proto is an error naming the field. */
export function encodeModel(model: ModelMessage): Uint8Array {
  const type = ModelProto();
  const problem = type.verify(model);
  if (problem) throw new Error(`ONNX export produced an invalid ModelProto: ${problem}`);
  const bytes = type.encode(type.fromObject(model)).finish();
  // protobufjs hands out a Buffer in Node; callers get a plain Uint8Array everywhere.
  return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** Parses a ModelProto back into plain objects (tests and `--json` summaries read it). */
export function decodeModel(bytes: Uint8Array): ModelMessage {
  const type = ModelProto();
  return type.toObject(type.decode(bytes), { longs: Number, bytes: Uint8Array as unknown as StringConstructor, defaults: false, arrays: true }) as unknown as ModelMessage;
}
