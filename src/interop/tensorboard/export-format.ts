import { join } from 'node:path';
import type { ExportFormat } from '../run-export.js';
import { exportRunToTensorBoard } from './export-run.js';

/**
 * `tradecraft export RUN --format tensorboard [--out DIR]`: the run as a TensorBoard event file
 * in DIR (default RUN/tensorboard). See exportRunToTensorBoard for what goes in.
 */
export const tensorBoardFormat: ExportFormat = {
  description: 'a TensorBoard event file in --out DIR (default RUN/tensorboard): scalars per step and epoch, test result, hparams text',
  defaultOut: (input) => join(input.dir, 'tensorboard'),
  write: (input, out) => {
    exportRunToTensorBoard(input.dir, out ?? join(input.dir, 'tensorboard'));
    return null;
  },
};
