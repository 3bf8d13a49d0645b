// tradecraft export-onnx: a trained run's checkpoint as an .onnx file that ONNX Runtime runs to
// the same outputs as the checkpoint loaded in Tradecraft.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { builtinExperiments } from '../../src/experiments/registry.js';
import { loadCheckpoint } from '../../src/train/checkpoint.js';
import { Tensor } from '../../src/tensor/tensor.js';
import { noGrad } from '../../src/autograd/grad-mode.js';
import { expectClose, randomArray, tempDir } from '../helpers.js';

const cli = (args: string[]) => spawnSync(process.execPath, ['bin/tradecraft.js', ...args], { encoding: 'utf8', env: { ...process.env, TRADECRAFT_QUIET: '1' } });
const lastJson = (stdout: string) => JSON.parse(stdout.trim().split('\n').pop()!) as Record<string, unknown>;

test('export-onnx writes the best checkpoint of a run; ONNX Runtime reproduces it at batch 1 and 7', async () => {
  const out = tempDir('tc-export-onnx-');
  const trained = cli(['train', 'mnist-mlp', '--epochs', '1', '--set', 'limitTrain=1200', '--set', 'valSize=200', '--set', 'limitTest=200', '--set', 'hidden=32', '--out', out, '--json']);
  assert.equal(trained.status, 0, trained.stderr);
  const runDir = lastJson(trained.stdout).runDir as string;
  const file = join(out, 'model.onnx');
  const r = cli(['export-onnx', runDir, '--out', file, '--json']);
  assert.equal(r.status, 0, r.stderr);
  const j = lastJson(r.stdout);
  assert.equal(j.opset, 17);
  assert.deepEqual(j.inputShape, ['batch', 1, 28, 28]);
  assert.deepEqual(j.initializers, ['1.weight', '1.bias', '3.weight', '3.bias', '5.weight', '5.bias']);
  assert.match(r.stdout, /wrote .*model\.onnx: mnist-mlp best checkpoint \(epoch 1\), opset 17, 6 nodes/);

  const exp = builtinExperiments['mnist-mlp'];
  const model = exp.model({ ...exp.hparams, hidden: 32 });
  model.loadStateDict(loadCheckpoint(join(runDir, 'checkpoints'), 'best').model);
  model.eval();
  const session = await ort.InferenceSession.create(new Uint8Array(readFileSync(file)));
  for (const batch of [1, 7]) {
    const x = new Tensor(randomArray(batch * 784, batch, -1, 2), [batch, 1, 28, 28]);
    const { output } = await session.run({ input: new ort.Tensor('float32', x.f32, [batch, 1, 28, 28]) });
    expectClose(output.data as Float32Array, noGrad(() => model.call(x)).f32, 2e-5, 1e-4, `batch ${batch}`);
  }
});

test('export-onnx: --help, and one-line usage errors', () => {
  const help = cli(['export-onnx', '--help']);
  assert.equal(help.status, 0);
  assert.match(help.stdout, /usage: tradecraft export-onnx RUN_DIR --out model\.onnx/);
  const noOut = cli(['export-onnx', 'runs/x']);
  assert.equal(noOut.status, 2);
  assert.match(noOut.stderr, /^tradecraft export-onnx: export-onnx needs --out FILE/);
  const notRun = cli(['export-onnx', tempDir('tc-not-run-'), '--out', 'x.onnx']);
  assert.equal(notRun.status, 1);
  assert.match(notRun.stderr, /is not a run directory/);
});
