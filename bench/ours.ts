/**
 * Benchmark child for our own backends. The parent picks the backend with
 * TRADECRAFT_BACKEND=native|wasm|js and passes one ChildTask as JSON in argv[2]; results go to stdout
 * as protocol lines (see protocol.ts). Uses the public API only: Tensor.matmul, nn, optim, F,
 * data.mnist and DataLoader, with a plain PyTorch-style training loop.
 */
import { emit, type ChildTask } from './protocol.js';
import { trainingHeapOption } from '../src/train/node-heap.js';

type TC = typeof import('../src/index.js');
type Tensor = import('../src/index.js').Tensor;
type Module = import('../src/nn/module.js').Module;

const task = JSON.parse(process.argv[2] ?? '{}') as ChildTask;
const backendName = process.env.TRADECRAFT_BACKEND ?? '(auto)';

let tc: TC;
try {
  tc = await import('../src/index.js');
} catch (e) {
  emit({ type: 'absent', reason: `backend '${backendName}' did not load: ${(e as Error).message.split('\n')[0]}` });
  process.exit(0);
}

const be = tc.backend() as unknown as { name?: string; describe?: () => string; description?: string };
emit({
  type: 'info', backend: backendName, node: process.version, nodeHeap: trainingHeapOption() ?? 'default',
  description: typeof be.describe === 'function' ? be.describe() : be.description ?? be.name ?? '',
});

const now = (): number => performance.now();

// ---- sgemm -------------------------------------------------------------------------------------

function sgemm(): void {
  const minTime = task.minTime ?? 0.3;
  for (const n of task.sizes ?? [256, 512, 1024, 2048]) {
    tc.manualSeed(1);
    const a = tc.randn([n, n]);
    const b = tc.randn([n, n]);
    const flop = 2 * n ** 3;
    // Warm-up and calibration: repeat the product until one timed run lasts at least minTime.
    a.matmul(b);
    let t0 = now();
    a.matmul(b);
    const once = (now() - t0) / 1000;
    const reps = Math.max(1, Math.ceil(minTime / Math.max(once, 1e-6)));
    const runs = once > 2 ? Math.min(task.runs, 3) : task.runs;
    for (let r = 0; r < runs; r++) {
      t0 = now();
      for (let i = 0; i < reps; i++) a.matmul(b);
      const dt = (now() - t0) / 1000;
      emit({ type: 'result', key: `sgemm-${n}`, value: (flop * reps) / dt / 1e9, unit: 'GFLOP/s', run: r, extra: { reps } });
    }
  }
}

// ---- training ------------------------------------------------------------------------------------

function mlp(): Module {
  const { nn } = tc;
  return nn.sequential(nn.flatten(), nn.linear(784, 256), nn.relu(), nn.linear(256, 256), nn.relu(), nn.linear(256, 10));
}

function cnn(): Module {
  const { nn } = tc;
  return nn.sequential(
    nn.conv2d(1, 32, 3, { padding: 1 }), nn.relu(), nn.maxPool2d(2),
    nn.conv2d(32, 64, 3, { padding: 1 }), nn.relu(), nn.maxPool2d(2),
    nn.flatten(), nn.linear(64 * 7 * 7, 128), nn.relu(), nn.linear(128, 10),
  );
}

function loadData(): ReturnType<TC['data']['mnist']> {
  // All 60,000 training images (no validation carve-out), /255 then standardized with the
  // training statistics: the same data every peer trains on.
  return tc.data.mnist({ dataDir: task.dataDir, valSize: 0 });
}

interface Trainer {
  model: Module;
  /** Runs up to `steps` training steps over the loader's order for `epoch`; returns steps done and the last loss. */
  run(epoch: number, steps: number): { steps: number; loss: Tensor | null };
  /**
   * The same steps, yielding to the event loop (`await setImmediate`) after a step once `everyMs`
   * has passed since the last yield, as Trainer.fitAsync does; also returns how often it yielded.
   */
  runYielding(epoch: number, steps: number, everyMs: number): Promise<{ steps: number; yields: number }>;
}

/**
 * cosineSteps > 0 decays the lr per step with a cosine to 0 over that many steps (the
 * time-to-accuracy recipe, the same in every peer); 0 keeps it constant.
 */
function makeTrainer(kind: 'mlp' | 'cnn', train: ReturnType<typeof loadData>['train'], seed: number, cosineSteps = 0): Trainer {
  tc.manualSeed(seed);
  const model = kind === 'mlp' ? mlp() : cnn();
  const opt = tc.optim.adam(model.parameters(), { lr: task.lr ?? 1e-3 });
  const schedule = cosineSteps > 0 ? new tc.optim.LRScheduler(opt, tc.optim.cosineSchedule(cosineSteps)) : null;
  const loader = new tc.data.DataLoader(train, { batchSize: task.batchSize ?? 64, shuffle: true, dropLast: true, seed });
  return {
    model,
    run(epoch, steps) {
      loader.setEpoch(epoch);
      let done = 0;
      let loss: Tensor | null = null;
      for (const { x, y } of loader) {
        if (done >= steps) break;
        loss = tc.F.crossEntropy(model.call(x), y);
        opt.zeroGrad();
        loss.backward();
        opt.step();
        schedule?.step();
        done++;
      }
      return { steps: done, loss };
    },
    async runYielding(epoch, steps, everyMs) {
      loader.setEpoch(epoch);
      let done = 0, yields = 0, last = now();
      for (const { x, y } of loader) {
        if (done >= steps) break;
        const loss = tc.F.crossEntropy(model.call(x), y);
        opt.zeroGrad();
        loss.backward();
        opt.step();
        schedule?.step();
        done++;
        if (now() - last >= everyMs) {
          await new Promise<void>((resolve) => setImmediate(resolve));
          yields++;
          last = now();
        }
      }
      return { steps: done, yields };
    },
  };
}

function accuracy(model: Module, test: ReturnType<typeof loadData>['test']): number {
  model.eval();
  let correct = 0;
  tc.noGrad(() => {
    const bs = 1000;
    for (let s = 0; s < test.length; s += bs) {
      const rows = new Int32Array(Math.min(bs, test.length - s)).map((_, i) => s + i);
      const { x, y } = test.rows(rows);
      const pred = model.call(x).argmax(-1).data;
      for (let i = 0; i < rows.length; i++) if (pred[i] === y.data[i]) correct++;
    }
  });
  model.train();
  return correct / test.length;
}

/**
 * The native micro-kernel limit (GFLOP/s, wall, this process's thread count) measured now, for
 * a training figure taken seconds apart: this machine's speed moves 10-40% from one minute to
 * the next, so a ratio against a limit measured minutes earlier mostly measures the drift.
 * Null on the other backends.
 */
async function limitNow(): Promise<number | null> {
  if (tc.backend().name !== 'native') return null;
  const { loadNativeAddon, NATIVE_ISAS } = await import('../src/backend/native.js');
  const addon = loadNativeAddon();
  if (addon === null) return null;
  const m = JSON.parse(addon.machine()) as { isa: string; threads: number };
  return addon.peak(1, NATIVE_ISAS.indexOf(m.isa), m.threads, 0.3)[0];
}

async function throughput(kind: 'mlp' | 'cnn'): Promise<void> {
  const d = loadData();
  const bs = task.batchSize ?? 64;
  const epochSteps = Math.floor(d.train.length / bs);
  const steps = task.steps && task.steps > 0 ? Math.min(task.steps, epochSteps) : epochSteps;
  for (let r = 0; r < task.runs; r++) {
    const seed = (task.seed ?? 0) + r;
    const t = makeTrainer(kind, d.train, seed);
    t.run(1000 + r, task.warmupSteps ?? 50);
    const limitBefore = await limitNow();
    const t0 = now();
    const { steps: done, loss } = t.run(r, steps);
    const dt = (now() - t0) / 1000;
    const limitAfter = await limitNow();
    emit({
      type: 'result', key: `${kind}-train`, value: (done * bs) / dt, unit: 'samples/s', run: r,
      extra: { steps: done, seconds: dt, finalLoss: loss ? loss.item() : null, trainImages: d.train.length, limitBefore, limitAfter },
    });
  }
}

function timeToAccuracy(): void {
  const d = loadData();
  const target = task.target ?? 0.98;
  const maxEpochs = task.maxEpochs ?? 4;
  const stepsPerEpoch = Math.floor(d.train.length / (task.batchSize ?? 64));
  for (let r = 0; r < task.runs; r++) {
    const seed = (task.seed ?? 0) + r;
    const t = makeTrainer('mlp', d.train, seed, maxEpochs * stepsPerEpoch);
    const t0 = now();
    let acc = 0, epochs = 0;
    while (epochs < maxEpochs) {
      t.run(epochs, Infinity);
      epochs++;
      acc = accuracy(t.model, d.test);
      if (acc >= target) break;
    }
    const dt = (now() - t0) / 1000;
    emit({ type: 'result', key: 'mlp-tta98', value: dt, unit: 's', run: r, extra: { epochs, testAccuracy: acc, reached: acc >= target } });
  }
}

/** One 5-epoch MLP run in this fresh process: RSS at the end of each epoch (after a GC when exposed) and the peak. */
function memory(): void {
  const gc = (globalThis as { gc?: () => void }).gc;
  const d = loadData();
  const epochs = task.epochs ?? 5;
  const t = makeTrainer('mlp', d.train, task.seed ?? 0);
  const rss: number[] = [];
  const mb = (x: number): number => Math.round((x / 2 ** 20) * 10) / 10;
  const detail: Array<{ heapUsed: number; external: number; arrayBuffers: number }> = [];
  for (let e = 0; e < epochs; e++) {
    t.run(e, task.steps && task.steps > 0 ? task.steps : Infinity);
    gc?.();
    const m = process.memoryUsage();
    rss.push(m.rss / 2 ** 20);
    detail.push({ heapUsed: mb(m.heapUsed), external: mb(m.external), arrayBuffers: mb(m.arrayBuffers) });
  }
  const r = task.seed ?? 0;
  // heapUsed/external/arrayBuffers (MB) per epoch tell a JS-heap leak from typed-array or native growth.
  const extra = { rssByEpochMB: rss.map((x) => Math.round(x * 10) / 10), v8ByEpochMB: detail, gcBeforeReading: gc !== undefined };
  for (let e = 2; e <= Math.min(5, epochs); e++) emit({ type: 'result', key: `rss-epoch-${e}`, value: rss[e - 1], unit: 'MB', run: r });
  if (epochs >= 5) emit({ type: 'result', key: 'rss-growth-2-5', value: rss[4] - rss[1], unit: 'MB', run: r, extra });
  emit({ type: 'result', key: 'peak-rss', value: process.resourceUsage().maxRSS / 1024, unit: 'MB', run: r, extra });
}

/**
 * What the training loop pays for yielding to the event loop (so Ctrl-C and the heartbeat can run),
 * as a share of MLP step time, two ways. Computed: yields per step x the cost of one
 * `await setImmediate` (timed over 2000 round trips) / the plain step time. Measured: blocks of
 * 50 steps with and without yielding, interleaved (the order alternating) over the run's steps, so
 * a drift of the machine's speed falls on both alike; a difference of two timings, so it is
 * noisier than the computed figure and can come out below zero.
 */
async function yieldCost(): Promise<void> {
  const d = loadData();
  const bs = task.batchSize ?? 64;
  const everyMs = 20; // Trainer.fitAsync's default yieldEveryMs
  const epochSteps = Math.floor(d.train.length / bs);
  const steps = task.steps && task.steps > 0 ? Math.min(task.steps, epochSteps) : epochSteps;
  const block = 50;
  for (let r = 0; r < task.runs; r++) {
    const t = makeTrainer('mlp', d.train, (task.seed ?? 0) + r);
    t.run(1000 + r, task.warmupSteps ?? 50);
    const n = 2000;
    let t0 = now();
    for (let i = 0; i < n; i++) await new Promise<void>((resolve) => setImmediate(resolve));
    const yieldUs = ((now() - t0) * 1000) / n;
    let plainMs = 0, yieldingMs = 0, yields = 0, done = 0;
    for (let b = 0; done < steps; b++) {
      const k = Math.min(block, steps - done);
      for (const variant of b % 2 ? ['yielding', 'plain'] : ['plain', 'yielding']) {
        t0 = now();
        if (variant === 'plain') t.run(b, k);
        else yields += (await t.runYielding(b, k, everyMs)).yields;
        if (variant === 'plain') plainMs += now() - t0; else yieldingMs += now() - t0;
      }
      done += k;
    }
    const stepMs = plainMs / steps;
    const extra = { steps, stepMs, yieldUs, yields, everyMs, plainSeconds: plainMs / 1000, yieldingSeconds: yieldingMs / 1000 };
    emit({ type: 'result', key: 'yield-computed', value: (100 * (yields / steps) * yieldUs) / 1000 / stepMs, unit: '%', run: r, extra });
    emit({ type: 'result', key: 'yield-measured', value: (100 * (yieldingMs - plainMs)) / plainMs, unit: '%', run: r, extra });
  }
}

switch (task.workload) {
  case 'sgemm': sgemm(); break;
  case 'mlp': await throughput('mlp'); break;
  case 'cnn': await throughput('cnn'); break;
  case 'tta': timeToAccuracy(); break;
  case 'memory': memory(); break;
  case 'yield': await yieldCost(); break;
  default: throw new Error(`ours: unknown workload ${String(task.workload)}`);
}
