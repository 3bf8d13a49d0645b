// TensorFlow.js (wasm backend) peer of Tradecraft's benchmark; bench/run.ts spawns it with node.
// Usage: node bench/peers/tfjs.mjs '<ChildTask JSON>'   (see bench/protocol.ts)
// Plain JavaScript on purpose: the benchmark must compile and report "absent" when the
// @tensorflow packages are not installed. Prints '@@bench {json}' lines.
//   sgemm: tf.matMul on square float32 matrices after tf.setBackend('wasm').
//   mlp/cnn: model.fit (Adam 1e-3, batch 64, softmax cross-entropy) after a warm-up fit,
//   on all 60,000 MNIST images, /255 then standardized with the training mean and std.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const MARK = '@@bench ';
const emit = (o) => process.stdout.write(MARK + JSON.stringify(o) + '\n');
const task = JSON.parse(process.argv[2] ?? '{}');

let tf;
try {
  tf = await import('@tensorflow/tfjs');
  await import('@tensorflow/tfjs-backend-wasm');
} catch (e) {
  emit({ type: 'absent', reason: `@tensorflow/tfjs + @tensorflow/tfjs-backend-wasm not installed (npm install): ${String(e.message).split('\n')[0]}` });
  process.exit(0);
}
try {
  if (!(await tf.setBackend('wasm'))) throw new Error('tf.setBackend("wasm") returned false');
  await tf.ready();
} catch (e) {
  emit({ type: 'absent', reason: `the tfjs wasm backend did not initialize: ${String(e.message).split('\n')[0]}` });
  process.exit(0);
}
emit({
  type: 'info', tfjs: tf.version.tfjs, backend: tf.getBackend(),
  simd: await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT'),
  multithread: await tf.env().getAsync('WASM_HAS_MULTITHREAD_SUPPORT'),
});

const now = () => performance.now();

function sgemm() {
  const minTime = task.minTime ?? 0.3;
  for (const n of task.sizes ?? [256, 512, 1024, 2048]) {
    const a = tf.randomNormal([n, n], 0, 1, 'float32', 1);
    const b = tf.randomNormal([n, n], 0, 1, 'float32', 2);
    const flop = 2 * n ** 3;
    // Each run ends by reading the last product back, so nothing can still be pending.
    const timed = (reps) => {
      const t0 = now();
      for (let i = 0; i < reps; i++) {
        const c = tf.matMul(a, b);
        if (i === reps - 1) c.dataSync();
        c.dispose();
      }
      return (now() - t0) / 1000;
    };
    timed(1);
    const once = timed(1);
    const reps = Math.max(1, Math.ceil(minTime / Math.max(once, 1e-6)));
    const runs = once > 2 ? Math.min(task.runs, 3) : task.runs;
    for (let r = 0; r < runs; r++) {
      const dt = timed(reps);
      emit({ type: 'result', key: `sgemm-${n}`, value: (flop * reps) / dt / 1e9, unit: 'GFLOP/s', run: r, extra: { reps } });
    }
    a.dispose(); b.dispose();
  }
}

function idx(path) {
  const b = readFileSync(path);
  const nd = b[3];
  const dims = [];
  for (let i = 0; i < nd; i++) dims.push(b.readUInt32BE(4 + 4 * i));
  return { dims, data: b.subarray(4 + 4 * nd) };
}

/** Training images /255, standardized with the training pixels' mean and unbiased std (as ours and torch). */
function loadTrain() {
  const xi = idx(join(task.dataDir, 'train-images-idx3-ubyte'));
  const yi = idx(join(task.dataDir, 'train-labels-idx1-ubyte'));
  const n = xi.dims[0];
  const x = new Float32Array(n * 784);
  let sum = 0;
  for (let i = 0; i < x.length; i++) { x[i] = xi.data[i] / 255; sum += x[i]; }
  const mean = sum / x.length;
  let sq = 0;
  for (let i = 0; i < x.length; i++) { const d = x[i] - mean; sq += d * d; }
  const std = Math.sqrt(sq / (x.length - 1));
  for (let i = 0; i < x.length; i++) x[i] = (x[i] - mean) / std;
  const y = new Float32Array(n * 10);
  for (let i = 0; i < n; i++) y[i * 10 + yi.data[i]] = 1;
  return { x, y, n };
}

function model(kind) {
  const m = tf.sequential();
  if (kind === 'mlp') {
    m.add(tf.layers.flatten({ inputShape: [28, 28, 1] }));
    m.add(tf.layers.dense({ units: 256, activation: 'relu' }));
    m.add(tf.layers.dense({ units: 256, activation: 'relu' }));
    m.add(tf.layers.dense({ units: 10 }));
  } else {
    m.add(tf.layers.conv2d({ inputShape: [28, 28, 1], filters: 32, kernelSize: 3, padding: 'same', activation: 'relu' }));
    m.add(tf.layers.maxPooling2d({ poolSize: 2 }));
    m.add(tf.layers.conv2d({ filters: 64, kernelSize: 3, padding: 'same', activation: 'relu' }));
    m.add(tf.layers.maxPooling2d({ poolSize: 2 }));
    m.add(tf.layers.flatten());
    m.add(tf.layers.dense({ units: 128, activation: 'relu' }));
    m.add(tf.layers.dense({ units: 10 }));
  }
  m.compile({ optimizer: tf.train.adam(task.lr ?? 1e-3), loss: (yTrue, logits) => tf.losses.softmaxCrossEntropy(yTrue, logits) });
  return m;
}

async function throughput(kind) {
  const { x, y, n } = loadTrain();
  const bs = task.batchSize ?? 64;
  const epochSteps = Math.floor(n / bs);
  const steps = task.steps > 0 ? Math.min(task.steps, epochSteps) : epochSteps;
  const xs = tf.tensor4d(x, [n, 28, 28, 1]);
  const ys = tf.tensor2d(y, [n, 10]);
  const slice = (count) => [xs.slice([0, 0, 0, 0], [count, 28, 28, 1]), ys.slice([0, 0], [count, 10])];
  const [wx, wy] = slice(Math.max(1, task.warmupSteps ?? 50) * bs);
  const [tx, ty] = slice(steps * bs); // whole batches only, like the drop-last loops of the other peers
  for (let r = 0; r < task.runs; r++) {
    const m = model(kind);
    try {
      await m.fit(wx, wy, { batchSize: bs, epochs: 1, shuffle: true, verbose: 0 });
    } catch (e) {
      const msg = String(e.message ?? e).split('\n')[0];
      const missing = /Conv2DBackpropFilter/.test(msg);
      emit({
        type: 'unavailable', key: `${kind}-train`, status: 'cannot',
        reason: missing ? 'cannot train: Conv2DBackpropFilter missing (no such kernel in tfjs-backend-wasm)' : `cannot train: ${msg}`,
      });
      return;
    }
    const t0 = now();
    const h = await m.fit(tx, ty, { batchSize: bs, epochs: 1, shuffle: true, verbose: 0 });
    const dt = (now() - t0) / 1000;
    emit({
      type: 'result', key: `${kind}-train`, value: (steps * bs) / dt, unit: 'samples/s', run: r,
      extra: { steps, seconds: dt, finalLoss: h.history.loss.at(-1) ?? null, trainImages: n },
    });
    m.dispose();
  }
}

switch (task.workload) {
  case 'sgemm': sgemm(); break;
  case 'mlp': await throughput('mlp'); break;
  case 'cnn': await throughput('cnn'); break;
  default: emit({ type: 'unavailable', key: task.workload, status: 'absent', reason: `the tfjs peer does not run workload ${task.workload}` });
}
