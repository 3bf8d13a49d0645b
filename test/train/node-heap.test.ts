import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { TRAINING_HEAP_FLAG, trainingHeapOption } from '../../src/train/node-heap.js';

test('trainingHeapOption finds an initial heap of 48 MB or more among node arguments, in either spelling', () => {
  assert.equal(trainingHeapOption([TRAINING_HEAP_FLAG]), '--initial-heap-size=64');
  assert.equal(trainingHeapOption(['--expose-gc', '--initial_heap_size=128']), '--initial-heap-size=128');
  assert.equal(trainingHeapOption(['--initial-heap-size', '96']), '--initial-heap-size=96');
  assert.equal(trainingHeapOption(['--initial-old-space-size=64']), '--initial-old-space-size=64');
  // Too small to put a floor under the limit (32 MB did not in the measurement), or malformed.
  assert.equal(trainingHeapOption(['--initial-heap-size=32']), null);
  assert.equal(trainingHeapOption(['--initial-heap-size=']), null);
  assert.equal(trainingHeapOption(['--initial-heap-size']), null);
  assert.equal(trainingHeapOption(['--max-old-space-size=4096']), null);
  assert.equal(trainingHeapOption([]), null);
});

test('trainingHeapOption takes a 1-2 MB young generation from node arguments or NODE_OPTIONS', () => {
  assert.equal(trainingHeapOption([], '--max-semi-space-size=1'), '--max-semi-space-size=1');
  assert.equal(trainingHeapOption([], '--inspect  --max-semi-space-size=2 '), '--max-semi-space-size=2');
  assert.equal(trainingHeapOption(['--max-semi-space-size=1']), '--max-semi-space-size=1');
  assert.equal(trainingHeapOption([], '--max-semi-space-size=16'), null);
  assert.equal(trainingHeapOption([], '--max-semi-space-size=0'), null);
  // NODE_OPTIONS cannot carry the initial heap size (node refuses it there), so it is not read from it.
  assert.equal(trainingHeapOption([], '--initial-heap-size=64'), null);
});

test('node itself accepts the flag (and refuses it in NODE_OPTIONS, which is why the README names a second one)', () => {
  const ok = spawnSync(process.execPath, [TRAINING_HEAP_FLAG, '-e', 'process.stdout.write(process.execArgv[0])'], { encoding: 'utf8' });
  assert.equal(ok.status, 0, ok.stderr);
  assert.equal(ok.stdout, TRAINING_HEAP_FLAG);
  const env = spawnSync(process.execPath, ['-e', '0'], { encoding: 'utf8', env: { ...process.env, NODE_OPTIONS: TRAINING_HEAP_FLAG } });
  assert.notEqual(env.status, 0);
  assert.match(env.stderr, /not allowed in NODE_OPTIONS/);
  const semi = spawnSync(process.execPath, ['-e', '0'], { encoding: 'utf8', env: { ...process.env, NODE_OPTIONS: '--max-semi-space-size=1' } });
  assert.equal(semi.status, 0, semi.stderr);
});
