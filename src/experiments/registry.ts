import type { Experiment, HParams } from './define.js';
import { mnistMlp, mnistCnn } from './mnist.js';
import { mnistCnnToggles } from './mnist-toggles.js';
import { mnistLenet300 } from './lenet300.js';

/** Built-in experiments by name. */
export const builtinExperiments: Record<string, Experiment<HParams>> = {
  'mnist-mlp': mnistMlp as unknown as Experiment<HParams>,
  'mnist-cnn': mnistCnn as unknown as Experiment<HParams>,
  'mnist-cnn-toggles': mnistCnnToggles as unknown as Experiment<HParams>,
  'mnist-lenet300': mnistLenet300 as unknown as Experiment<HParams>,
};
