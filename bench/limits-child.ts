/**
 * Child of the limits benchmark (limits.ts), on the native backend with the pool size the parent
 * sets (TRADECRAFT_THREADS). Two modes, given as JSON in argv[2]:
 *   {"mode":"limits","sizes":[512,1024],"minTime":0.2,"rounds":1}
 *     the FMA peak and the micro-kernel limit for every instruction set this CPU runs, then
 *     `a.matmul(b)` (public API, output allocated by the call) per size: SAMPLES windows of
 *     minTime / 2 seconds, each between two measurements of the limit (best instruction set);
 *   {"mode":"cold","n":256,"calls":40}
 *     the wall time of each of the first calls of an n x n matmul in this fresh process;
 *   {"mode":"ramp","idleMs":50,"rounds":8}
 *     the register-only FMA loop on this thread in 0.1 ms chunks right after an idle pause of
 *     idleMs, and after no pause, alternating: per chunk the median GFLOP/s over rounds.
 * Prints protocol lines (protocol.ts).
 */
import { emit } from './protocol.js';
import { median, medianByIndex } from './stats.js';
import { loadNativeAddon, NATIVE_ISAS } from '../src/backend/native.js';

interface Task { mode: 'limits' | 'cold' | 'ramp'; sizes?: number[]; minTime?: number; rounds?: number; n?: number; calls?: number; idleMs?: number }
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
/** Timed windows per product and round, each between two measurements of the limit. */
const SAMPLES = 5;

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
} else if (task.mode === 'ramp') {
  // Does a core that has been idle run vector code slower at first? One core, no memory: the
  // FMA loop alone, so neither caches nor our GEMM can explain what it shows.
  const isa = NATIVE_ISAS.indexOf(machine.isa);
  const CHUNK = 1e-4, CHUNKS = 30, idleMs = task.idleMs ?? 50;
  for (let i = 0; i < 20; i++) addon.peak(0, isa, 1, 2 * CHUNK);
  const runs: Record<'afterIdle' | 'noIdle', number[][]> = { afterIdle: [], noIdle: [] };
  for (let r = 0; r < (task.rounds ?? 8); r++) {
    for (const kind of r % 2 === 0 ? (['afterIdle', 'noIdle'] as const) : (['noIdle', 'afterIdle'] as const)) {
      // Both wait for the event loop; only one lets the core idle.
      await new Promise((done) => (kind === 'afterIdle' ? setTimeout(done, idleMs) : setImmediate(done)));
      const chunks: number[] = [];
      for (let c = 0; c < CHUNKS; c++) chunks.push(addon.peak(0, isa, 1, CHUNK)[0]);
      runs[kind].push(chunks);
    }
  }
  emit({ type: 'result', key: 'ramp', value: 0, unit: 'GFLOP/s', run: 0,
    extra: { idleMs, chunkSeconds: CHUNK, afterIdle: medianByIndex(runs.afterIdle), noIdle: medianByIndex(runs.noIdle) } });
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
    // Each product is timed in SAMPLES short windows, each between two measurements of the
    // micro-kernel limit, so every sample has the limit beside it: this VM's speed moves 10-40%
    // from one minute to the next, and a product and a limit taken seconds apart in different
    // processes compare two different machines. The figure is the median sample; `alongside`
    // holds each sample over the mean of its two limits.
    const minTime = task.minTime ?? 0.2, window = minTime / 2;
    const best = isas.indexOf(usable.length > 0 ? usable[usable.length - 1] : isas[0]);
    const limitNow = (): number => addon.peak(1, best, threads, window / 2)[0];
    for (const { n, a, b } of mats) {
      // Warm-up as long as the timed window and at least 32 products (the same in
      // torch_limits.py): in a fresh process the first 1-4 MB outputs fault in new heap pages
      // until the collector starts returning old ones, which here happened up to the 31st
      // product (a 4 MB burst of faults: +7-30% on that product at 1024); that is the cold
      // start's figure, not this one.
      const w0 = performance.now();
      for (let i = 0; i < WARM_UP_PRODUCTS || performance.now() - w0 < minTime * 1000; i++) a.matmul(b);
      const t0 = performance.now();
      a.matmul(b);
      const once = (performance.now() - t0) / 1000;
      const reps = Math.max(1, Math.ceil(window / Math.max(once, 1e-6)));
      const flop = 2 * n ** 3 * reps;
      const wall: number[] = [], perCpu: number[] = [], alongside: number[] = [];
      let before = limitNow();
      for (let s = 0; s < SAMPLES; s++) {
        const c0 = cpuSeconds(), t1 = performance.now();
        for (let i = 0; i < reps; i++) a.matmul(b);
        const w = (performance.now() - t1) / 1000, cpu = cpuSeconds() - c0;
        const after = limitNow();
        wall.push(flop / w / 1e9);
        perCpu.push(flop / cpu / 1e9);
        alongside.push(flop / w / 1e9 / ((before + after) / 2));
        before = after;
      }
      emit({ type: 'result', key: `sgemm-${n}`, value: median(wall), unit: 'GFLOP/s', run: r, extra: { perCpuSecond: median(perCpu), reps, samples: wall, alongside } });
    }
  }
}
