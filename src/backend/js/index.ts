/**
 * The pure-TypeScript reference backend: single-threaded, no SIMD, no Node imports (runs in
 * browsers). Each kernel family lives in its own file; this module only assembles them.
 */
import type { Backend } from '../backend.js';
import { gemm } from './gemm.js';
import { unary, clamp } from './unary.js';
import { binary, binaryScalar, where } from './binary.js';
import { reduce, argReduce, sumSquares } from './reduce.js';
import { copyStrided } from './strided.js';
import { softmax } from './softmax.js';
import { channelSum } from './channel.js';
import { indexSelect, indexAdd, gather, scatterAdd } from './indexing.js';
import { conv2d, conv2dBackwardInput, conv2dBackwardWeight } from './conv.js';
import { maxPool2d, maxPool2dBackward, avgPool2d, avgPool2dBackward } from './pool.js';
import { adamStep, sgdStep } from './optimizer-steps.js';

export const jsBackend: Backend = {
  name: 'js',
  describe: () => 'js: pure TypeScript reference kernels, 1 thread, blocked 4x4 float64-accumulating GEMM, no SIMD',
  gemm,
  unary,
  binaryScalar,
  binary,
  where,
  clamp,
  reduce,
  sumSquares,
  argReduce,
  copyStrided,
  softmax,
  channelSum,
  indexSelect,
  indexAdd,
  gather,
  scatterAdd,
  conv2d,
  conv2dBackwardInput,
  conv2dBackwardWeight,
  maxPool2d,
  maxPool2dBackward,
  avgPool2d,
  avgPool2dBackward,
  adamStep,
  sgdStep,
};
