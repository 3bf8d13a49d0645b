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
import { layerCases, randomize } from './onnx-cases.js';

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
