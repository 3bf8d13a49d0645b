import { Tensor } from '../tensor/tensor.js';
import { encodeSafetensors, decodeSafetensors, type SafetensorsTensor } from './safetensors.js';

// Node-free (weights.ts adds the file functions), so a browser can download a model's weights.

/**
 * State dicts as safetensors files with PyTorch's names and dtypes: float32 as F32 and
 * integer buffers (num_batches_tracked) as I64, which is what torch writes, so files move
 * between the two frameworks in both directions.
 */
export function encodeStateDict(sd: Record<string, Tensor>, metadata?: Record<string, string>): Uint8Array {
  const tensors: Record<string, SafetensorsTensor> = {};
  for (const [name, t] of Object.entries(sd)) {
    tensors[name] = t.dtype === 'int32'
      ? { dtype: 'I64', shape: [...t.shape], data: BigInt64Array.from(t.data, (v) => BigInt(v)) }
      : { dtype: 'F32', shape: [...t.shape], data: t.data as Float32Array };
  }
  return encodeSafetensors(tensors, metadata);
}

export function decodeStateDict(bytes: Uint8Array, what = 'safetensors data'): { tensors: Record<string, Tensor>; metadata: Record<string, string> } {
  const { tensors, metadata } = decodeSafetensors(bytes, what);
  const out: Record<string, Tensor> = {};
  for (const [name, t] of Object.entries(tensors)) {
    const d = t.data;
    if (d instanceof Float32Array) out[name] = new Tensor(d, t.shape, 'float32');
    else if (d instanceof Float64Array) out[name] = new Tensor(Float32Array.from(d), t.shape, 'float32');
    else if (d instanceof BigInt64Array) out[name] = new Tensor(Int32Array.from(d, (v) => Number(v)), t.shape, 'int32');
    else out[name] = new Tensor(Int32Array.from(d as ArrayLike<number>), t.shape, 'int32');
  }
  return { tensors: out, metadata };
}

