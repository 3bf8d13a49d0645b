// The models the ONNX tests export: one case per exportable layer (and option that changes the
// graph). Shared by the ONNX Runtime test and scripts/fixtures/export-test-models.mjs, which
// writes them out for onnx.checker.
import * as nn from '../../src/nn/index.js';
import type { Module } from '../../src/nn/module.js';
import type { OnnxExportOptions } from '../../src/interop/onnx/export-model.js';
import { randomArray } from '../helpers.js';

/** Fills every parameter and buffer with seeded values so that nothing is left at an identity init. */
export function randomize(model: Module, seed: number): Module {
  let k = seed;
  for (const [name, t] of Object.entries(model.stateDict())) {
    if (t.dtype !== 'float32') continue;
    // Variances must stay positive; everything else spans both signs.
    t.f32.set(name.endsWith('running_var') ? randomArray(t.size, k++, 0.5, 2) : randomArray(t.size, k++, -0.8, 0.8));
  }
  return model;
}

export const layerCases: Array<[string, () => Module, number[], Partial<OnnxExportOptions>?]> = [
  ['Linear (2-D input, Gemm)', () => nn.linear(5, 4), [1, 5]],
  ['Linear without bias', () => nn.linear(5, 4, { bias: false }), [1, 5]],
  ['Linear on 3-D input (MatMul + Add)', () => nn.linear(5, 4), [1, 3, 5]],
  ['Conv2d stride 2, padding (1, 2), dilation 2', () => nn.conv2d(3, 4, [3, 2], { stride: 2, padding: [1, 2], dilation: 2 }), [1, 3, 9, 8]],
  ['Conv2d groups 2, no bias', () => nn.conv2d(4, 6, 3, { groups: 2, bias: false, padding: 1 }), [1, 4, 6, 6]],
  ['MaxPool2d 3, stride 2, padding 1', () => nn.maxPool2d(3, { stride: 2, padding: 1 }), [1, 2, 7, 6]],
  ['AvgPool2d counting padding (torch default)', () => nn.avgPool2d(3, { stride: 2, padding: 1 }), [1, 2, 7, 6]],
  ['AvgPool2d not counting padding', () => nn.avgPool2d(3, { stride: 2, padding: 1, countIncludePad: false }), [1, 2, 7, 6]],
  ['AdaptiveAvgPool2d global', () => nn.adaptiveAvgPool2d(1), [1, 3, 5, 4]],
  ['AdaptiveAvgPool2d dividing', () => nn.adaptiveAvgPool2d([2, 3]), [1, 3, 4, 6]],
  ['BatchNorm2d (running statistics)', () => nn.batchNorm2d(3), [1, 3, 4, 4]],
  ['BatchNorm1d on (N, C)', () => nn.batchNorm1d(5), [1, 5]],
  ['BatchNorm1d on (N, C, L), no affine', () => nn.batchNorm1d(3, { affine: false }), [1, 3, 6]],
  ['LayerNorm (opset 17 op)', () => nn.layerNorm(6), [1, 4, 6]],
  ['LayerNorm over two dims, no affine', () => nn.layerNorm([3, 4], { elementwiseAffine: false }), [1, 2, 3, 4]],
  ['LayerNorm decomposed at opset 13', () => nn.layerNorm(6), [1, 4, 6], { opset: 13 }],
  ['GroupNorm (decomposed)', () => nn.groupNorm(2, 6), [1, 6, 3, 3]],
  ['GroupNorm on (N, C, L), no affine', () => nn.groupNorm(3, 6, { affine: false }), [1, 6, 5]],
  ['GroupNorm at opset 18 (ReduceMean axes as input)', () => nn.groupNorm(2, 4), [1, 4, 3, 3], { opset: 18 }],
  ['InstanceNorm2d affine', () => nn.instanceNorm2d(3, { affine: true }), [1, 3, 4, 5]],
  ['Dropout (omitted)', () => nn.sequential(nn.linear(4, 4), nn.dropout(0.5)), [1, 4]],
  ['Flatten', () => nn.flatten(), [1, 2, 3, 4]],
  ['Flatten from dim 2', () => nn.flatten(2), [1, 2, 3, 4]],
  ['Residual', () => nn.residual(nn.sequential(nn.linear(6, 6), nn.relu(), nn.linear(6, 6))), [1, 6]],
  ['ReLU', () => nn.relu(), [1, 10]],
  ['LeakyReLU 0.2', () => nn.leakyRelu(0.2), [1, 10]],
  ['ELU 0.7', () => nn.elu(0.7), [1, 10]],
  ['GELU exact (decomposed with Erf)', () => nn.gelu(), [1, 10]],
  ['GELU tanh (decomposed)', () => nn.gelu('tanh'), [1, 10]],
  ['GELU exact at opset 20 (Gelu op)', () => nn.gelu(), [1, 10], { opset: 20 }],
  ['GELU tanh at opset 20 (Gelu op)', () => nn.gelu('tanh'), [1, 10], { opset: 20 }],
  ['SiLU', () => nn.silu(), [1, 10]],
  ['Sigmoid', () => nn.sigmoid(), [1, 10]],
  ['Tanh', () => nn.tanh(), [1, 10]],
  ['Softmax dim 1 of 3', () => nn.softmax(1), [1, 4, 5]],
  ['LogSoftmax', () => nn.logSoftmax(), [1, 10]],
  ['Softplus', () => nn.softplus(), [1, 10]],
  ['Identity', () => nn.identity(), [1, 10]],
];

