/**
 * The slice of the WebAssembly JavaScript API we use, typed locally. The project compiles
 * without the DOM lib and @types/node does not declare WebAssembly, and declaring the global
 * ourselves would clash with the DOM lib in a browser build; so we read it off globalThis
 * through this narrow interface (and learn at run time whether it exists at all).
 */
export interface WasmMemory {
  readonly buffer: ArrayBuffer;
  /** Grows by `pages` 64 KiB pages; detaches the old buffer. */
  grow(pages: number): number;
}

export interface WasmInstance {
  readonly exports: Record<string, unknown>;
}

export interface WasmApi {
  validate(bytes: Uint8Array): boolean;
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports?: object) => WasmInstance;
}

export function wasmApi(): WasmApi | null {
  const wa = (globalThis as { WebAssembly?: WasmApi }).WebAssembly;
  return wa && typeof wa.validate === 'function' ? wa : null;
}

/** Validates, compiles and instantiates synchronously (fine for a module of a few KiB). */
export function instantiate(bytes: Uint8Array): WasmInstance {
  const wa = wasmApi();
  if (!wa) throw new Error('WebAssembly is not available in this JavaScript engine');
  if (!wa.validate(bytes)) throw new Error('the engine rejected the module (no WebAssembly SIMD support?)');
  return new wa.Instance(new wa.Module(bytes), {});
}
