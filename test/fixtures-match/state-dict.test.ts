import { selectBackend } from '../../src/backend/select.js';
await selectBackend();

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as nn from '../../src/nn/index.js';
import { loadStateDict, encodeStateDict, decodeStateDict } from '../../src/track/weights.js';
import { decodeSafetensors } from '../../src/track/safetensors.js';
import { loadFixture, fixturePath, fx, expectTensor, F32, type FxTensor } from './fixture.js';

/**
 * Weights-file interop with PyTorch, both directions:
 *  - PyTorch -> us: test/fixtures/state_dict.safetensors (written from a torch state_dict by
 *    scripts/fixtures/fx_state_dict.py) loads into our equivalent model, which then reproduces
 *    torch's eval-mode output; and our encoder, given that state dict, writes the identical bytes.
 *  - us -> PyTorch: test/fixtures/from-tradecraft.safetensors (written by our saveStateDict in
 *    scripts/fixtures/make_tradecraft_weights.mjs) was loaded by torch with strict=True in
 *    scripts/fixtures/check_tradecraft_weights.py, which recorded torch's output in
 *    from-tradecraft.json; our model loaded from the same file gives the same output.
 */

interface Key { name: string; dtype: string; shape: number[] }
interface TorchWeights {
  model: Array<{ index: number; module: string; args: Record<string, number> }>;
  mode: 'eval';
  safetensors_bytes: number;
  safetensors_header_order: string[];
  keys: Key[];
  state_dict: Record<string, FxTensor>;
  input: FxTensor;
  output: FxTensor;
}
interface FromTradecraft {
  source: string;
  source_bytes: number;
  metadata: Record<string, string> | null;
  header_order: string[];
  keys: Key[];
  num_batches_tracked: number;
  state_dict: Record<string, FxTensor>;
  input: FxTensor;
  output: FxTensor;
}

/** Our equivalent of nn.Sequential(Conv2d(1,2,3,padding=1), BatchNorm2d(2), ReLU(), Flatten(), Linear(32,3)). */
function makeModel(): nn.Sequential {
  return nn.sequential(nn.conv2d(1, 2, 3, { padding: 1 }), nn.batchNorm2d(2), nn.relu(), nn.flatten(), nn.linear(32, 3));
}

/** torch dtype names (state_dict.json uses safetensors codes, from-tradecraft.json torch names) -> our dtype. */
const OUR_DTYPE: Record<string, string> = { F32: 'float32', I64: 'int32', float32: 'float32', int64: 'int32' };

const torchSide = loadFixture<TorchWeights>('state_dict.json');
const torchFile = readFileSync(fixturePath('state_dict.safetensors'));

test('PyTorch -> Tradecraft: the architecture in state_dict.json is the one we build', () => {
  assert.deepEqual(torchSide.model.map((m) => m.module), ['Conv2d', 'BatchNorm2d', 'ReLU', 'Flatten', 'Linear']);
  assert.deepEqual(torchSide.model[0].args, { in_channels: 1, out_channels: 2, kernel_size: 3, padding: 1 });
  assert.deepEqual(torchSide.model[4].args, { in_features: 32, out_features: 3 });
  const ours = makeModel().stateDict();
  // Same names, in the same order (module by module: parameters, then buffers), shapes and
  // (translated) dtypes as torch's state_dict; int64 buffers are int32 in memory.
  assert.deepEqual(Object.keys(ours), torchSide.keys.map((k) => k.name), 'state dict keys in torch\'s order');
  for (const k of torchSide.keys) {
    assert.deepEqual([...ours[k.name].shape], k.shape, `${k.name} shape`);
    assert.equal(ours[k.name].dtype, OUR_DTYPE[k.dtype], `${k.name} dtype`);
  }
});

test('PyTorch -> Tradecraft: loadStateDict reads the torch-written safetensors file with the exact values', () => {
  assert.equal(torchFile.length, torchSide.safetensors_bytes);
  const sd = loadStateDict(fixturePath('state_dict.safetensors'));
  assert.deepEqual(Object.keys(sd).sort(), Object.keys(torchSide.state_dict).sort());
  for (const k of torchSide.keys) {
    assert.equal(sd[k.name].dtype, OUR_DTYPE[k.dtype], `${k.name}: dtype`);
    expectTensor(sd[k.name], torchSide.state_dict[k.name], { atol: 0, rtol: 0 }, `${k.name}`);
  }
  assert.equal(sd['1.num_batches_tracked'].item(), 5);
});

test('PyTorch -> Tradecraft: our model loaded from the torch file reproduces torch\'s eval output', () => {
  const model = makeModel();
  model.loadStateDict(loadStateDict(fixturePath('state_dict.safetensors')));
  model.eval();
  const y = model.call(fx(torchSide.input));
  expectTensor(y, torchSide.output, F32, 'output');
});

test('Tradecraft -> PyTorch: encodeStateDict of that model is byte-identical to the torch-made file', () => {
  const model = makeModel();
  model.loadStateDict(loadStateDict(fixturePath('state_dict.safetensors')));
  const ours = encodeStateDict(model.stateDict());
  // Check the header first, for a readable failure: names in the reference order, dtypes
  // (num_batches_tracked as I64), shapes and offsets.
  const theirsHeader = decodeSafetensors(torchFile);
  const oursHeader = decodeSafetensors(ours);
  assert.deepEqual(Object.keys(oursHeader.tensors), torchSide.safetensors_header_order, 'tensor order in the header');
  const headerText = (b: Uint8Array) => new TextDecoder().decode(b.subarray(8, 8 + Number(new DataView(b.buffer, b.byteOffset).getBigUint64(0, true))));
  assert.equal(headerText(ours), headerText(torchFile), 'header JSON (names, dtypes, shapes, data_offsets, padding)');
  for (const [k, t] of Object.entries(theirsHeader.tensors)) {
    assert.equal(oursHeader.tensors[k].dtype, t.dtype, `${k}: dtype`);
    assert.deepEqual(oursHeader.tensors[k].shape, t.shape, `${k}: shape`);
  }
  assert.equal(oursHeader.tensors['1.num_batches_tracked'].dtype, 'I64');
  assert.equal(ours.length, torchFile.length, 'file length');
  assert.ok(Buffer.from(ours).equals(torchFile), 'our bytes equal the PyTorch-made file');
});

const fromUs = loadFixture<FromTradecraft>('from-tradecraft.json');
const ourFile = readFileSync(fixturePath('from-tradecraft.safetensors'));

test('Tradecraft -> PyTorch: torch loaded our file strictly, with torch\'s dtypes, and read back our exact values', () => {
  assert.equal(ourFile.length, fromUs.source_bytes, 'from-tradecraft.json was made from this very file (regenerate both together)');
  const ours = decodeStateDict(ourFile).tensors;
  assert.deepEqual(Object.keys(ours), fromUs.header_order, 'header order torch saw');
  assert.deepEqual(Object.keys(ours).sort(), fromUs.keys.map((k) => k.name).sort(), 'names');
  assert.deepEqual(Object.keys(makeModel().stateDict()), fromUs.keys.map((k) => k.name), 'our state dict lists keys in torch\'s order');
  for (const k of fromUs.keys) {
    assert.equal(ours[k.name].dtype, OUR_DTYPE[k.dtype], `${k.name}: dtype (torch's ${k.dtype})`);
    // Bit-exact: torch read the same float32 values we wrote.
    expectTensor(ours[k.name], fromUs.state_dict[k.name], { atol: 0, rtol: 0 }, `${k.name} as torch read it`);
  }
  assert.equal(decodeSafetensors(ourFile).tensors['1.num_batches_tracked'].dtype, 'I64');
  assert.equal(fromUs.num_batches_tracked, 5, 'the model saw 5 training batches before saving');
});

test('Tradecraft -> PyTorch: our model loaded from our file gives the output torch computed from it', () => {
  const model = makeModel();
  model.loadStateDict(loadStateDict(fixturePath('from-tradecraft.safetensors')));
  model.eval();
  const y = model.call(fx(fromUs.input));
  expectTensor(y, fromUs.output, F32, 'output');
  // And the round trip through our writer is lossless: the same bytes again.
  assert.ok(Buffer.from(encodeStateDict(model.stateDict())).equals(ourFile), 're-encoding gives the same bytes');
});
