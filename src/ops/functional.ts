/**
 * `F`, the functional face of the ops (torch.nn.functional): stateless functions that
 * layers and users call directly.
 */
export { relu, leakyRelu, elu, gelu, silu, sigmoid, tanh, softplus, softmax, logSoftmax } from './activation.js';
export { linear, matmul } from './matmul.js';
export { conv2d, type Conv2dOptions } from './conv.js';
export { maxPool2d, avgPool2d, adaptiveAvgPool2d, type Pool2dOptions } from './pool.js';
export {
  crossEntropy, nllLoss, mseLoss, l1Loss, huberLoss, smoothL1Loss, binaryCrossEntropyWithLogits,
  l1Penalty, l2Penalty, type Reduction, type CrossEntropyOptions,
} from './loss.js';
export { batchNorm, layerNorm, groupNorm, instanceNorm } from './norm.js';
export { dropout } from './dropout.js';
export { where, clamp, maximum, minimum } from './elementwise.js';
export { cat, stack } from './shape.js';
