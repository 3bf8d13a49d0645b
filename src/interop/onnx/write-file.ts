import { writeFileAtomic } from '../../track/files.js';

/** Node only: Module.exportOnnx(path) loads this lazily to write the exported bytes atomically. */
export function writeBytes(path: string, bytes: Uint8Array): void {
  writeFileAtomic(path, bytes);
}
