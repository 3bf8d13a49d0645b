// Every exportable layer and the built-in experiments' models, exported to ONNX and run by ONNX
// Runtime (onnxruntime-node): the outputs must equal our forward pass within float32 tolerance,
// at batch 1 and batch 7 from the same file (the batch dimension is dynamic).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as ort from 'onnxruntime-node';
import * as nn from '../../src/nn/index.js';
import type { Module } from '../../src/nn/module.js';
import { Tensor } from '../../src/tensor/tensor.js';
import { manualSeed } from '../../src/tensor/random.js';
import { noGrad } from '../../src/autograd/grad-mode.js';
import { exportOnnx, type OnnxExportOptions } from '../../src/interop/onnx/export-model.js';
import { decodeModel } from '../../src/interop/onnx/proto.js';
import { builtinExperiments } from '../../src/experiments/registry.js';
import { expectClose, randomArray } from '../helpers.js';

/** Fills every parameter and buffer with seeded values so that nothing is left at an identity init. */
function randomize(model: Module, seed: number): Module {
  let k = seed;
  for (const [name, t] of Object.entries(model.stateDict())) {
    if (t.dtype !== 'float32') continue;
    // Variances must stay positive; everything else spans both signs.
    t.f32.set(name.endsWith('running_var') ? randomArray(t.size, k++, 0.5, 2) : randomArray(t.size, k++, -0.8, 0.8));
  }
  return model;
}

async function checkAgainstOrt(model: Module, opts: OnnxExportOptions, what: string, intInput = 0): Promise<Uint8Array> {
  const bytes = exportOnnx(model, opts);
  const session = await ort.InferenceSession.create(bytes);
  model.eval();
  for (const batch of [1, 7]) {
    const shape = [batch, ...opts.inputShape.slice(1)];
    const n = shape.reduce((a, b) => a * b, 1);
    let x: Tensor, feed: ort.Tensor;
    if (intInput) {
      const idx = Int32Array.from(randomArray(n, batch, 0, intInput), (v) => Math.floor(v));
      x = new Tensor(idx, shape, 'int32');
      feed = new ort.Tensor('int64', BigInt64Array.from(idx, (v) => BigInt(v)), shape);
    } else {
      x = new Tensor(randomArray(n, 100 + batch, -2, 2), shape);
      feed = new ort.Tensor('float32', x.f32, shape);
    }
    const ours = noGrad(() => model.call(x));
    const { output } = await session.run({ input: feed });
    assert.deepEqual(output.dims, ours.shape, `${what}: output shape at batch ${batch}`);
    expectClose(output.data as Float32Array, ours.f32, 2e-5, 1e-4, `${what} at batch ${batch}`);
  }
  return bytes;
}

const layerCases: Array<[string, () => Module, number[], Partial<OnnxExportOptions>?]> = [
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

for (const [name, make, inputShape, extra] of layerCases) {
  test(`ONNX Runtime matches our forward: ${name}`, async () => {
    manualSeed(1);
    await checkAgainstOrt(randomize(make(), 7), { inputShape, ...extra }, name);
  });
}

test('ONNX Runtime matches our forward: Embedding (int64 indices, Gather)', async () => {
  manualSeed(2);
  const model = nn.sequential(nn.embedding(11, 4), nn.flatten(), nn.linear(12, 3));
  const bytes = await checkAgainstOrt(model, { inputShape: [1, 3] }, 'Embedding', 11);
  assert.equal(decodeModel(bytes).graph.input[0].type.tensor_type.elem_type, 7, 'input is INT64');
});

for (const name of ['mnist-mlp', 'mnist-cnn']) {
  test(`ONNX Runtime matches our forward: the built-in ${name} model`, async () => {
    manualSeed(3);
    const exp = builtinExperiments[name];
    const model = exp.model(exp.hparams);
    const bytes = await checkAgainstOrt(model, { inputShape: [1, 1, 28, 28] }, name);
    const m = decodeModel(bytes);
    const expected = Object.keys(model.stateDict()).sort();
    assert.deepEqual(m.graph.initializer.map((t) => t.name).sort(), expected, 'initializers carry the state-dict names');
  });
}
