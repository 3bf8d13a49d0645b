import { readFileSync } from 'node:fs';
import { Tensor } from '../tensor/tensor.js';
import { encodeStateDict, decodeStateDict } from './state-dict-codec.js';
import { writeFileAtomic } from './files.js';

export { encodeStateDict, decodeStateDict } from './state-dict-codec.js';

/** Writes a state dict atomically to a .safetensors file. */
export function saveStateDict(path: string, sd: Record<string, Tensor>, metadata?: Record<string, string>): void {
  writeFileAtomic(path, encodeStateDict(sd, metadata));
}

/** Reads a .safetensors file (ours or PyTorch's) into tensors by name. */
export function loadStateDict(path: string): Record<string, Tensor> {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(path);
  } catch (e) {
    throw new Error(`could not read weights from ${path}: ${(e as Error).message}`);
  }
  return decodeStateDict(bytes, path).tensors;
}
