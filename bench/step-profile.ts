/**
 * Where a training step's time goes: the MLP and CNN of the benchmark (batch 64, Adam) on the
 * selected backend, with every backend kernel wrapped in a timer. Prints the share of the step
 * spent in GEMM/convolution kernels (arithmetic), in the other kernels (elementwise passes,
 * reductions, pooling, softmax, copies, the optimizer) and outside any kernel (JavaScript:
 * the tape, shape checks, allocation), and the step's GFLOP/s against the FMA peak and the
 * micro-kernel limit of the native addon.
 *
 *   node dist/bench/step-profile.js [--steps 200] [--model mlp|cnn|both]
 * Synthetic MNIST-shaped data (the data loader is not part of the step).
 */
import * as tc from '../src/index.js';
import { loadNativeAddon, NATIVE_ISAS } from '../src/backend/native.js';
import { TRAIN_FLOP_PER_SAMPLE } from './limits.js';

const argv = process.argv.slice(2);
const arg = (name: string, d: string): string => { const i = argv.indexOf(name); return i >= 0 ? argv[i + 1] : d; };
const steps = Number(arg('--steps', '200'));
const which = arg('--model', 'both');

const ARITHMETIC = new Set(['gemm', 'conv2d', 'conv2dBackwardInput', 'conv2dBackwardWeight', 'conv2dReluMaxPool2x2', 'conv2dBackwardFromPooled']);
const be = tc.backend() as unknown as Record<string, unknown>;
const spent = new Map<string, { ms: number; calls: number }>();
let inKernel = false;
for (const [name, fn] of Object.entries(be)) {
  if (typeof fn !== 'function' || name === 'describe') continue;
  be[name] = (...args: unknown[]): unknown => {
    if (inKernel) return (fn as (...a: unknown[]) => unknown)(...args);
    inKernel = true;
    const t0 = performance.now();
    try { return (fn as (...a: unknown[]) => unknown)(...args); } finally {
      const s = spent.get(name) ?? { ms: 0, calls: 0 };
      s.ms += performance.now() - t0;
      s.calls++;
      spent.set(name, s);
      inKernel = false;
    }
  };
}

function model(kind: 'mlp' | 'cnn'): tc.nn.Module {
  const { nn } = tc;
  return kind === 'mlp'
    ? nn.sequential(nn.flatten(), nn.linear(784, 256), nn.relu(), nn.linear(256, 256), nn.relu(), nn.linear(256, 10))
    : nn.sequential(nn.conv2d(1, 32, 3, { padding: 1 }), nn.relu(), nn.maxPool2d(2), nn.conv2d(32, 64, 3, { padding: 1 }), nn.relu(),
      nn.maxPool2d(2), nn.flatten(), nn.linear(64 * 7 * 7, 128), nn.relu(), nn.linear(128, 10));
}

const addon = loadNativeAddon();
const machine = addon ? JSON.parse(addon.machine()) as { isa: string; threads: number } : null;
const isa = machine ? NATIVE_ISAS.indexOf(machine.isa) : -1;

for (const kind of (which === 'both' ? ['mlp', 'cnn'] : [which]) as Array<'mlp' | 'cnn'>) {
  tc.manualSeed(0);
  const m = model(kind);
  const opt = tc.optim.adam(m.parameters(), { lr: 1e-3 });
  const x = tc.randn([64, 1, 28, 28]);
  const y = tc.tensor(Array.from({ length: 64 }, (_, i) => i % 10), { dtype: 'int32' });
  const step = (): void => {
    const loss = tc.F.crossEntropy(m.call(x), y);
    opt.zeroGrad();
    loss.backward();
    opt.step();
  };
  const n = kind === 'cnn' ? Math.max(1, Math.round(steps / 4)) : steps;
  for (let i = 0; i < Math.min(20, n); i++) step();
  spent.clear();
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  for (let i = 0; i < n; i++) step();
  const total = performance.now() - t0;
  const cu = process.cpuUsage(c0);
  const cpuSeconds = (cu.user + cu.system) / 1e6;
  const fmaPeak = addon && isa >= 0 ? addon.peak(0, isa, machine!.threads, 0.2) : null;
  const kernelPeak = addon && isa >= 0 ? addon.peak(1, isa, machine!.threads, 0.2) : null;
  const limits = fmaPeak && kernelPeak ? { fma: fmaPeak[0], kernel: kernelPeak[0] } : null;
  let arith = 0, other = 0;
  const rows: string[] = [];
  for (const [name, s] of [...spent].sort((a, b) => b[1].ms - a[1].ms)) {
    if (ARITHMETIC.has(name)) arith += s.ms; else other += s.ms;
    rows.push(`    ${name.padEnd(22)} ${(s.ms / n).toFixed(3).padStart(8)} ms/step  ${((100 * s.ms) / total).toFixed(1).padStart(5)}%  ${(s.calls / n).toFixed(1)} calls/step`);
  }
  const gflops = (64 * TRAIN_FLOP_PER_SAMPLE[kind]) / (total / n / 1000) / 1e9;
  console.log(`${kind}: ${(total / n).toFixed(3)} ms/step over ${n} steps on ${tc.backend().describe()}; ${gflops.toFixed(1)} GFLOP/s` +
    (limits ? ` = ${((100 * gflops) / limits.fma).toFixed(0)}% of the FMA peak (${limits.fma.toFixed(1)}), ${((100 * gflops) / limits.kernel).toFixed(0)}% of the micro-kernel limit (${limits.kernel.toFixed(1)}) measured just after` : ''));
  // Per CPU-second: the work done per second of CPU the process got (its threads' spinning
  // included) against one core's rate; on a shared machine this is the figure to read.
  const perCpu = (64 * TRAIN_FLOP_PER_SAMPLE[kind] * n) / cpuSeconds / 1e9;
  if (fmaPeak && kernelPeak) {
    console.log(`  per CPU-second: ${perCpu.toFixed(1)} GFLOP = ${((100 * perCpu) / fmaPeak[1]).toFixed(0)}% of one core's FMA peak (${fmaPeak[1].toFixed(1)}), ` +
      `${((100 * perCpu) / kernelPeak[1]).toFixed(0)}% of its micro-kernel limit (${kernelPeak[1].toFixed(1)}); CPU ${(cpuSeconds / (total / 1000)).toFixed(2)} cores busy on average`);
  }
  console.log(`  GEMM/conv kernels ${((100 * arith) / total).toFixed(1)}%, other kernels ${((100 * other) / total).toFixed(1)}%, outside kernels (JavaScript) ${((100 * (total - arith - other)) / total).toFixed(1)}%`);
  for (const r of rows) console.log(r);
}
