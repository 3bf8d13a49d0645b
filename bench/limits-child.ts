/**
 * Child of the limits benchmark (limits.ts), on the native backend with the pool size the parent
 * sets (TRADECRAFT_THREADS). Two modes, given as JSON in argv[2]:
 *   {"mode":"limits","sizes":[512,1024],"minTime":0.2,"rounds":1}
 *     the FMA peak and the micro-kernel limit for every instruction set this CPU runs, then
 *     `a.matmul(b)` (public API, output allocated by the call) per size, interleaved in rounds
 *     so each ratio compares figures taken seconds apart;
 *   {"mode":"cold","n":256,"calls":40}
 *     the wall time of each of the first calls of an n x n matmul in this fresh process.
 * Prints protocol lines (protocol.ts).
 */
import { emit } from './protocol.js';
import { loadNativeAddon, NATIVE_ISAS } from '../src/backend/native.js';

interface Task { mode: 'limits' | 'cold'; sizes?: number[]; minTime?: number; rounds?: number; n?: number; calls?: number }
const task = JSON.parse(process.argv[2] ?? '{}') as Task;

const tc = await import('../src/index.js');
const addon = loadNativeAddon();
if (addon === null || tc.backend().name !== 'native') {
  emit({ type: 'absent', reason: 'native addon not built (run `npm install` or node scripts/build-native.mjs)' });
  process.exit(0);
}
const machine = JSON.parse(addon.machine()) as { isa: string; threads: number };
emit({ type: 'info', machine, description: tc.backend().describe() });

const WARM_UP_PRODUCTS = 32;

const cpuSeconds = (): number => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};

if (task.mode === 'cold') {
  const n = task.n ?? 256;
  tc.manualSeed(1);
  const a = tc.randn([n, n]);
  const b = tc.randn([n, n]);
  const times: number[] = [];
  for (let i = 0; i < (task.calls ?? 40); i++) {
    const t0 = performance.now();
    a.matmul(b);
    times.push((performance.now() - t0) / 1000);
  }
  emit({ type: 'result', key: `cold-${n}`, value: times[0], unit: 's', run: 0, extra: { times } });
} else {
  const isas = NATIVE_ISAS;
  const usable = isas.slice(0, isas.indexOf(machine.isa) + 1).slice(1);  // the SIMD sets this CPU runs
  const threads = machine.threads;
  const mats = (task.sizes ?? [512, 1024]).map((n) => {
    tc.manualSeed(1);
    return { n, a: tc.randn([n, n]), b: tc.randn([n, n]) };
  });
  for (let r = 0; r < (task.rounds ?? 1); r++) {
    for (const isa of usable) {
      for (const [kind, name] of [[0, 'fma'], [1, 'kernel']] as const) {
        const [wall, perCore] = addon.peak(kind, isas.indexOf(isa), threads, 0.2);
        emit({ type: 'result', key: `peak-${name}-${isa}`, value: wall, unit: 'GFLOP/s', run: r, extra: { perCore } });
      }
    }
    for (const { n, a, b } of mats) {
      // Warm-up as long as the timed window and at least 32 products (the same in
      // torch_limits.py): in a fresh process the first 1-4 MB outputs fault in new heap pages
      // until the collector starts returning old ones, which here happened up to the 31st
      // product (a 4 MB burst of faults: +7-30% on that product at 1024); that is the cold
      // start's figure, not this one.
      const w0 = performance.now();
      for (let i = 0; i < WARM_UP_PRODUCTS || performance.now() - w0 < (task.minTime ?? 0.2) * 1000; i++) a.matmul(b);
      let t0 = performance.now();
      a.matmul(b);
      const once = (performance.now() - t0) / 1000;
      const reps = Math.max(1, Math.ceil((task.minTime ?? 0.2) / Math.max(once, 1e-6)));
      const c0 = cpuSeconds();
      t0 = performance.now();
      for (let i = 0; i < reps; i++) a.matmul(b);
      const wall = (performance.now() - t0) / 1000, cpu = cpuSeconds() - c0;
      const flop = 2 * n ** 3 * reps;
      emit({ type: 'result', key: `sgemm-${n}`, value: flop / wall / 1e9, unit: 'GFLOP/s', run: r, extra: { perCpuSecond: flop / cpu / 1e9, reps } });
    }
  }
}
