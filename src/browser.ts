/**
 * The browser build's entry (bundled by `npm run build:browser` into dist/browser/tradecraft.js):
 * the Node-free core plus what a page needs to train and ship a model — datasets and loaders,
 * confidence intervals, safetensors weights and ONNX export. Nothing here imports Node.
 */
export * from './core.js';
export * as stats from './stats/index.js';
export { TensorDataset } from './data/dataset.js';
export { DataLoader, type Batch } from './data/loader.js';
export { encodeStateDict, decodeStateDict } from './track/state-dict-codec.js';
export { encodeSafetensors, decodeSafetensors } from './track/safetensors.js';
export { exportOnnx, type OnnxExportOptions } from './interop/onnx/export-model.js';
