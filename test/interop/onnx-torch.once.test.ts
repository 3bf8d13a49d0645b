// A model exported by PyTorch 1.13 (torch.onnx.export, scripts/fixtures/fx_torch_onnx.py) and the
// same architecture with the same weights exported by us give the same outputs in ONNX Runtime,
// and both equal torch's own forward pass.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as ort from 'onnxruntime-node';
import * as nn from '../../src/nn/index.js';
import { Tensor } from '../../src/tensor/tensor.js';
import { loadStateDict } from '../../src/track/weights.js';
import { exportOnnx } from '../../src/interop/onnx/export-model.js';
import { expectClose } from '../helpers.js';

const dir = 'test/fixtures/onnx';

/** The layers of fx_torch_onnx.py's model(), in the same order (so the state-dict names agree). */
const torchCnn = (): nn.Sequential => nn.sequential(
  nn.conv2d(1, 4, 3, { padding: 1 }), nn.batchNorm2d(4), nn.relu(), nn.maxPool2d(2),
  nn.conv2d(4, 6, 3, { padding: 1, groups: 2 }), nn.gelu(), nn.avgPool2d(2, { padding: 1 }),
  nn.flatten(), nn.linear(6 * 4 * 4, 16), nn.layerNorm(16), nn.silu(), nn.dropout(0.2), nn.linear(16, 5),
);

async function run(bytes: Uint8Array, x: Tensor): Promise<Float32Array> {
  const session = await ort.InferenceSession.create(bytes);
  const { output } = await session.run({ input: new ort.Tensor('float32', x.f32, x.shape) });
  assert.deepEqual(output.dims, [x.shape[0], 5]);
  return output.data as Float32Array;
}

test('ONNX Runtime: the PyTorch 1.13 export and ours of the same model and weights agree', async () => {
  const fixture = JSON.parse(readFileSync(`${dir}/torch-cnn.json`, 'utf8')) as { input: { shape: number[]; data: number[] }; output: { data: number[] } };
  const model = torchCnn();
  const { missing } = model.loadStateDict(loadStateDict(`${dir}/torch-cnn.safetensors`), { strict: false });
  assert.deepEqual(missing, ['1.num_batches_tracked'], 'every weight comes from the torch state dict');
  const x = new Tensor(Float32Array.from(fixture.input.data), fixture.input.shape);
  const torchFile = new Uint8Array(readFileSync(`${dir}/torch-cnn.onnx`));
  const ours = exportOnnx(model, { inputShape: [1, 1, 12, 12] });
  const [fromTorch, fromOurs] = [await run(torchFile, x), await run(ours, x)];
  expectClose(fromOurs, fromTorch, 2e-5, 1e-4, 'ours vs torch.onnx.export in ONNX Runtime');
  expectClose(fromOurs, fixture.output.data, 2e-5, 1e-4, 'ours in ONNX Runtime vs torch forward');
  // The batch dimension is dynamic in both: one example alone gives the same first row.
  const first = new Tensor(x.f32.slice(0, 144), [1, 1, 12, 12]);
  expectClose(await run(ours, first), fromTorch.slice(0, 5), 2e-5, 1e-4, 'batch 1');
  expectClose(await run(torchFile, first), fromTorch.slice(0, 5), 2e-5, 1e-4, 'torch file at batch 1');
});
