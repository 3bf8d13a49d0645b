import type { Backend } from './backend.js';
import { jsBackend } from './js/index.js';

/**
 * The backend every op dispatches to. It starts as the TypeScript reference backend so the
 * core works anywhere (browsers included); the Node entry point swaps in the native one when
 * it loaded. Kept free of Node imports for that reason.
 */
let current: Backend = jsBackend;

export function backend(): Backend {
  return current;
}

export function setBackend(b: Backend): void {
  current = b;
}

export { jsBackend };
