import type { Experiment, HParams } from './define.js';
import { mnistMlp, mnistCnn } from './mnist.js';

/** Built-in experiments by name. */
export const builtinExperiments: Record<string, Experiment<HParams>> = {
  'mnist-mlp': mnistMlp as unknown as Experiment<HParams>,
  'mnist-cnn': mnistCnn as unknown as Experiment<HParams>,
};
