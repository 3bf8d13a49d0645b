import type { Backend } from './backend.js';
import { setBackend, backend } from './registry.js';
import { setUninitializedAllocator } from './alloc.js';
import { loadWasmBackend } from './wasm/index.js';
import { threadedJsBackend } from './js-threaded/index.js';

// In Node, big outputs that kernels overwrite skip the zero-fill (Buffer.allocUnsafeSlow gives
// a private, uninitialized ArrayBuffer); small ones stay on V8's fast path.
setUninitializedAllocator((n) => (n < 4096 ? new Float32Array(n) : new Float32Array(Buffer.allocUnsafeSlow(n * 4).buffer, 0, n)));

/**
 * Picks the backend when the package loads in Node: the native one when its addon built,
 * else the TypeScript one with a one-line note on how to get the faster one.
 * TRADECRAFT_BACKEND=js|wasm|native forces a choice (wasm and native fail loudly when they
 * cannot run); wasm is never picked by default.
 */
let nativeLoadError: string | null = null;

async function tryNative(): Promise<Backend | null> {
  try {
    const specifier = './native.js';
    const mod = (await import(specifier)) as { loadNativeBackend: () => Backend | null };
    return mod.loadNativeBackend();
  } catch (e) {
    nativeLoadError = (e as Error).message;
    return null;
  }
}

export async function selectBackend(): Promise<Backend> {
  const wanted = process.env.TRADECRAFT_BACKEND;
  if (wanted && wanted !== 'js' && wanted !== 'wasm' && wanted !== 'native') {
    throw new Error(`TRADECRAFT_BACKEND must be one of js|wasm|native, got '${wanted}'`);
  }
  if (wanted === 'js') {
    const js = threadedJsBackend();
    setBackend(js);
    return js;
  }
  if (wanted === 'wasm') {
    const wasm = loadWasmBackend(); // throws, saying why, when WebAssembly SIMD is missing
    setBackend(wasm);
    return wasm;
  }
  const native = await tryNative();
  if (native) {
    setBackend(native);
    return native;
  }
  if (wanted === 'native') {
    throw new Error(
      'TRADECRAFT_BACKEND=native, but the native backend is not built' + (nativeLoadError ? ` (${nativeLoadError})` : '') +
      '. Install g++, make and python3, then run `npm rebuild tradecraft` (or `npm install` in a checkout).',
    );
  }
  if (!process.env.TRADECRAFT_QUIET) {
    console.warn('tradecraft: using the TypeScript backend; for the much faster native one install g++, make and python3 and run `npm rebuild tradecraft`.');
  }
  setBackend(threadedJsBackend());
  return backend();
}
