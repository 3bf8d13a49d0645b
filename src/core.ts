/**
 * The Node-free core: tensors, autograd, ops, nn, optim and stats. It runs in a browser on
 * the TypeScript backend (or `setBackend(loadWasmBackend())` for WebAssembly SIMD GEMMs); the package entry (index.ts) adds the native backend and the
 * Node-only parts (data files, trainer, run store, CLI).
 */
export { Tensor, Parameter, type DType, type NestedArray, type Operand } from './tensor/tensor.js';
export {
  tensor, zeros, ones, full, zerosLike, onesLike, arange, linspace, eye, rand, randn, randint, randperm,
  type CreateOptions,
} from './tensor/create.js';
export { manualSeed, Generator, defaultGenerator } from './tensor/random.js';
export { ShapeError } from './tensor/shape.js';
export { setBroadcastMode, getBroadcastMode, type BroadcastMode } from './tensor/broadcast-mode.js';
export { dimScope } from './tensor/dims.js';
export { cat, stack } from './ops/shape.js';
export { where } from './ops/elementwise.js';
export { noGrad, enableGrad, gradcheck, detectAnomaly } from './autograd/index.js';
export * as autograd from './autograd/index.js';
export * as nn from './nn/index.js';
export * as optim from './optim/index.js';
export * as F from './ops/functional.js';
export { backend, setBackend, jsBackend } from './backend/registry.js';
export { wasmBackend, loadWasmBackend, wasmAvailable } from './backend/wasm/index.js';
export type { Backend } from './backend/backend.js';
