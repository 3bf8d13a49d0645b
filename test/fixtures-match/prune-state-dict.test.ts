import { selectBackend } from '../../src/backend/select.js';
await selectBackend();

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as nn from '../../src/nn/index.js';
import { loadStateDict } from '../../src/track/weights.js';
import { applyMasksFromStateDict, removeAllMasks } from '../../src/prune/index.js';
import { loadFixture, fixturePath, fx, expectTensor, F32, type FxTensor } from './fixture.js';

/**
 * A pruned state dict moves to PyTorch: test/fixtures/pruned-from-tradecraft.safetensors was
 * written by our saveStateDict from a model with three pruned weights
 * (scripts/fixtures/make_pruned_weights.mjs); scripts/fixtures/check_pruned_weights.py loaded it
 * strictly into the same torch model after torch.nn.utils.prune.identity and recorded torch's
 * key order, effective weights and output. We must agree with all of it.
 */
interface Fixture {
  source_bytes: number; state_dict_keys: string[]; keys_after_remove: string[];
  effective: Record<string, FxTensor>; zeros: Record<string, number>; input: FxTensor; output: FxTensor;
}
const fixture = loadFixture<Fixture>('pruned-from-tradecraft.json');
const file = fixturePath('pruned-from-tradecraft.safetensors');

const makeModel = () => nn.sequential(nn.conv2d(1, 3, 3, { padding: 1 }), nn.relu(), nn.flatten(), nn.linear(48, 6), nn.relu(), nn.linear(6, 3));

test('torch loaded our pruned file strictly and lists the same keys in the same order (bias, weight_orig, weight_mask)', () => {
  assert.equal(readFileSync(file).length, fixture.source_bytes, 'the JSON was made from this very file (regenerate both together)');
  const sd = loadStateDict(file);
  assert.deepEqual(Object.keys(sd).sort(), [...fixture.state_dict_keys].sort());
  const model = makeModel();
  assert.equal(applyMasksFromStateDict(model, sd), 3);
  model.loadStateDict(sd);
  assert.deepEqual(Object.keys(model.stateDict()), fixture.state_dict_keys, 'our state dict order is torch\'s');
});

test('our effective weights, their zeros and the output equal what torch computed from the same file', () => {
  const model = makeModel();
  const sd = loadStateDict(file);
  applyMasksFromStateDict(model, sd);
  model.loadStateDict(sd);
  model.eval();
  for (const [k, want] of Object.entries(fixture.effective)) {
    const m = (model as unknown as Record<string, nn.Module>)[k.split('.')[0]] as nn.Linear;
    expectTensor(m.weight, want, { atol: 0, rtol: 0 }, k);
    assert.equal(Array.from(m.weight.data).filter((v) => v === 0).length, fixture.zeros[k], `${k}: zeros`);
  }
  assert.deepEqual(fixture.zeros, { '0.weight': 9, '3.weight': 173, '5.weight': 5 }, 'one of three conv channels, 60% and 30% of the linear weights');
  expectTensor(model.call(fx(fixture.input)), fixture.output, F32, 'output');
  removeAllMasks(model);
  assert.deepEqual(Object.keys(model.stateDict()), fixture.keys_after_remove, 'keys after remove() match torch\'s after prune.remove');
  expectTensor(model.call(fx(fixture.input)), fixture.output, F32, 'output after remove');
});
