// jax-js (@jax-js/jax, Wasm CPU device) peer of Tradecraft's benchmark: sgemm only.
// Usage: node bench/peers/jax.mjs '<ChildTask JSON>'   (see bench/protocol.ts)
// Plain JavaScript so the benchmark compiles and reports "absent" without the package.
// jax-js is lazy and reference-counted: each product is awaited (blockUntilReady) and disposed,
// and the inputs are passed with .ref so they stay alive.
const MARK = '@@bench ';
const emit = (o) => process.stdout.write(MARK + JSON.stringify(o) + '\n');
const task = JSON.parse(process.argv[2] ?? '{}');

let jax;
try {
  jax = await import('@jax-js/jax');
} catch (e) {
  emit({ type: 'absent', reason: `@jax-js/jax not installed (npm install): ${String(e.message).split('\n')[0]}` });
  process.exit(0);
}
let devices;
try {
  // init() with no argument probes WebGPU through `navigator`, which Node 20 lacks; ask for wasm only.
  devices = await jax.init('wasm');
  if (!devices.includes('wasm')) throw new Error(`no wasm device (got ${devices.join(', ')})`);
  jax.defaultDevice('wasm');
} catch (e) {
  emit({ type: 'absent', reason: `jax-js wasm device did not initialize: ${String(e.message).split('\n')[0]}` });
  process.exit(0);
}
let version = null;
try {
  const { createRequire } = await import('node:module');
  const { readFileSync } = await import('node:fs');
  const { dirname, join } = await import('node:path');
  const req = createRequire(import.meta.url);
  const entry = req.resolve('@jax-js/jax');
  version = JSON.parse(readFileSync(join(dirname(entry), '..', 'package.json'), 'utf8')).version;
} catch { /* version is informative only */ }
// Its Wasm device spreads work over Web Workers only when `Worker` and SharedArrayBuffer exist;
// Node has no global Worker, so it runs on one thread here.
emit({ type: 'info', jax: version, device: 'wasm', webWorkers: typeof globalThis.Worker !== 'undefined' });

if (task.workload !== 'sgemm') {
  emit({ type: 'unavailable', key: task.workload, status: 'absent', reason: `the jax-js peer runs sgemm only` });
  process.exit(0);
}

const np = jax.numpy;
const now = () => performance.now();
const minTime = task.minTime ?? 0.3;
for (const n of task.sizes ?? [256, 512, 1024, 2048]) {
  const fill = () => { const d = new Float32Array(n * n); for (let i = 0; i < d.length; i++) d[i] = Math.random() * 2 - 1; return d; };
  const a = np.array(fill()).reshape([n, n]);
  const b = np.array(fill()).reshape([n, n]);
  const flop = 2 * n ** 3;
  const timed = async (reps) => {
    const t0 = now();
    for (let i = 0; i < reps; i++) {
      const c = np.matmul(a.ref, b.ref);
      await c.blockUntilReady();
      c.dispose();
    }
    return (now() - t0) / 1000;
  };
  await timed(1);
  const once = await timed(1);
  const reps = Math.max(1, Math.ceil(minTime / Math.max(once, 1e-6)));
  const runs = once > 2 ? Math.min(task.runs, 3) : task.runs;
  for (let r = 0; r < runs; r++) {
    const dt = await timed(reps);
    emit({ type: 'result', key: `sgemm-${n}`, value: (flop * reps) / dt / 1e9, unit: 'GFLOP/s', run: r, extra: { reps } });
  }
  a.dispose(); b.dispose();
}
