// The shape of the exported file: opset and IR version, dynamic batch, attribute choices that
// differ between PyTorch and ONNX defaults, initializer names, and refusals that name the module.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as nn from '../../src/nn/index.js';
import { Module } from '../../src/nn/module.js';
import type { Tensor } from '../../src/tensor/tensor.js';
import { exportOnnx } from '../../src/interop/onnx/export-model.js';
import { decodeModel } from '../../src/interop/onnx/proto.js';
import { tempDir } from '../helpers.js';

const ops = (bytes: Uint8Array): string[] => decodeModel(bytes).graph.node.map((n) => n.op_type);

test('defaults: opset 17, IR version 8, a dynamic batch named by dim_param', () => {
  const m = decodeModel(exportOnnx(nn.sequential(nn.flatten(), nn.linear(12, 3)), { inputShape: [1, 3, 4] }));
  assert.equal(m.ir_version, 8);
  assert.deepEqual(m.opset_import.map((o) => [o.domain ?? '', o.version]), [['', 17]]);
  assert.deepEqual(m.graph.input[0].type.tensor_type.shape.dim, [{ dim_param: 'batch' }, { dim_value: 3 }, { dim_value: 4 }]);
  assert.deepEqual(m.graph.output[0].type.tensor_type.shape.dim, [{ dim_param: 'batch' }, { dim_value: 3 }]);
  assert.equal(m.producer_name, 'tradecraft');
  const fixed = decodeModel(exportOnnx(nn.linear(4, 2), { inputShape: [5, 4], dynamicBatch: false }));
  assert.deepEqual(fixed.graph.input[0].type.tensor_type.shape.dim, [{ dim_value: 5 }, { dim_value: 4 }]);
  assert.equal(decodeModel(exportOnnx(nn.linear(4, 2), { inputShape: [1, 4], opset: 20 })).ir_version, 9);
});

test('Linear is Gemm for 2-D input and MatMul + Add otherwise; Dropout leaves no node', () => {
  assert.deepEqual(ops(exportOnnx(nn.sequential(nn.linear(4, 3), nn.dropout(0.3)), { inputShape: [1, 4] })), ['Gemm']);
  assert.deepEqual(ops(exportOnnx(nn.linear(4, 3), { inputShape: [1, 2, 4] })), ['Transpose', 'MatMul', 'Add']);
});

test('average pooling writes count_include_pad explicitly (ONNX defaults to 0, torch to 1)', () => {
  for (const [countIncludePad, expected] of [[undefined, 1], [true, 1], [false, 0]] as const) {
    const node = decodeModel(exportOnnx(nn.avgPool2d(2, { padding: 1, countIncludePad }), { inputShape: [1, 1, 4, 4] })).graph.node[0];
    assert.equal(node.attribute.find((a) => a.name === 'count_include_pad')?.i, expected);
  }
});

test('GELU is decomposed below opset 20 and a Gelu op from 20; GroupNorm always decomposed', () => {
  assert.ok(ops(exportOnnx(nn.gelu(), { inputShape: [1, 3] })).includes('Erf'));
  assert.deepEqual(ops(exportOnnx(nn.gelu(), { inputShape: [1, 3], opset: 20 })), ['Gelu']);
  const gn = ops(exportOnnx(nn.groupNorm(2, 4), { inputShape: [1, 4, 2, 2] }));
  assert.ok(!gn.includes('GroupNormalization') && gn.includes('ReduceMean'), gn.join(' '));
});

test('initializers carry the state-dict names; num_batches_tracked is not needed and not written', () => {
  const model = nn.sequential(nn.conv2d(1, 2, 3), nn.batchNorm2d(2), nn.relu(), nn.flatten(), nn.linear(8, 2));
  const names = decodeModel(exportOnnx(model, { inputShape: [1, 1, 4, 4] })).graph.initializer.map((t) => t.name);
  assert.deepEqual(names, ['0.weight', '0.bias', '1.weight', '1.bias', '1.running_mean', '1.running_var', '4.weight', '4.bias']);
});

test('export runs in evaluation mode and restores the training flag', () => {
  const model = nn.sequential(nn.linear(3, 3), nn.dropout(0.5));
  model.train();
  exportOnnx(model, { inputShape: [1, 3] });
  assert.equal(model.training, true);
  assert.equal(model[1].training, true);
});

class Twice extends Module {
  forward(x: Tensor): Tensor { return x.mul(2); }
}
class MyLinear extends nn.Linear {}

test('modules that cannot be exported are refused by path and class', () => {
  assert.throws(() => exportOnnx(nn.sequential(nn.linear(3, 3), nn.sequential(nn.relu(), new Twice())), { inputShape: [1, 3] }),
    /cannot export '1\.1' \(Twice\): no ONNX lowering/);
  assert.throws(() => exportOnnx(nn.sequential(new MyLinear(3, 3)), { inputShape: [1, 3] }), /cannot export '0' \(MyLinear\)/);
  assert.throws(() => exportOnnx(nn.sequential(nn.adaptiveAvgPool2d(3)), { inputShape: [1, 1, 4, 4] }), /'0' \(AdaptiveAvgPool2d\): output 3x3 does not tile/);
  assert.throws(() => exportOnnx(nn.batchNorm2d(2, { trackRunningStats: false }), { inputShape: [1, 2, 2, 2] }), /the model \(BatchNorm2d\): trackRunningStats=false/);
  assert.throws(() => exportOnnx(nn.linear(3, 3), { inputShape: [1, 3], opset: 11 }), /opset must be an integer from 13 to 21/);
  assert.throws(() => exportOnnx(nn.linear(3, 3), { inputShape: [0, 3] }), /inputShape must list positive integer sizes/);
});

test('model.exportOnnx returns the bytes, or writes a file given a path', async () => {
  const model = nn.linear(3, 2);
  const bytes = await model.exportOnnx({ inputShape: [1, 3] });
  const path = join(tempDir('tc-onnx-'), 'm.onnx');
  const size = await model.exportOnnx(path, { inputShape: [1, 3] });
  assert.equal(size, bytes.length);
  assert.deepEqual(new Uint8Array(readFileSync(path)), bytes);
});
