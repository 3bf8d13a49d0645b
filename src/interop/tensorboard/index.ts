export { crc32c, maskedCrc32c } from './crc32c.js';
export { tfrecord, readTfrecords } from './tfrecord.js';
export { EventFileWriter } from './event-writer.js';
export { exportRunToTensorBoard, type TensorBoardExport } from './export-run.js';
export { TensorBoardCallback } from './callback.js';
