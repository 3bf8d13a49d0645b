export { exportOnnx, irVersionFor, DEFAULT_OPSET, MIN_OPSET, MAX_OPSET, type OnnxExportOptions } from './export-model.js';
export { UnexportableError } from './layers.js';
export { decodeModel, type ModelMessage } from './proto.js';
