// The test ledger counts every evaluation of a test set by its content, so a second model
// evaluated on the same examples warns, even when it comes from another experiment.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { selectBackend } from '../../src/backend/select.js';
import { TestLedger } from '../../src/track/test-ledger.js';
import { testOnce } from '../../src/train/test-once.js';
import { TensorDataset } from '../../src/data/dataset.js';
import { randn, tensor } from '../../src/tensor/create.js';
import { manualSeed } from '../../src/tensor/random.js';
import * as nn from '../../src/nn/index.js';
import { crossEntropy } from '../../src/ops/loss.js';
import { tempDir } from '../helpers.js';

await selectBackend();

test('TestLedger: the same model again is not a new model; a different one warns with the counts', () => {
  const ledger = new TestLedger(join(tempDir('tc-ledger-'), 'test-ledger.jsonl'));
  const base = { testSet: 'abc', runId: 'r1', metric: 'accuracy', value: 0.9, n: 100 };
  assert.deepEqual(ledger.record({ ...base, modelHash: 'm1' }), { earlierUses: 0, otherModels: 0, warning: null });
  assert.equal(ledger.record({ ...base, modelHash: 'm1' }).warning, null, 're-testing the same weights');
  const third = ledger.record({ ...base, runId: 'r2', modelHash: 'm2' });
  assert.equal(third.earlierUses, 2);
  assert.equal(third.otherModels, 1);
  assert.match(third.warning!, /evaluated for 2 different models \(3 evaluations/);
  assert.equal(ledger.record({ ...base, testSet: 'other', modelHash: 'm3' }).warning, null, 'another test set is separate');
});

test('testOnce keys the ledger by the test set\'s content, across experiments', () => {
  const dir = tempDir('tc-ledger-');
  manualSeed(0);
  const data = new TensorDataset(randn([20, 4]), tensor(Array.from({ length: 20 }, (_, i) => i % 3), [20], { dtype: 'int32' }), 'test');
  const ledgerPath = join(dir, 'test-ledger.jsonl');
  const run = (experiment: string, weights: string) => {
    const weightsFile = join(dir, `${experiment}.safetensors`);
    writeFileSync(weightsFile, weights);
    return testOnce({ model: nn.linear(4, 3), loss: crossEntropy, test: data, experiment, runId: experiment, weightsFile, ledgerPath });
  };
  assert.equal(run('mlp', 'weights of model A').ledger.warning, null);
  const second = run('cnn', 'weights of model B');
  assert.equal(second.ledger.earlierUses, 1);
  assert.match(second.ledger.warning!, /2 different models/);
  const entries = new TestLedger(ledgerPath).entries();
  assert.deepEqual(entries.map((e) => e.experiment), ['mlp', 'cnn']);
  assert.equal(entries[0].testSet, entries[1].testSet);
});
