/**
 * The limits benchmark: how close our GEMM and training come to what this machine can do.
 *
 *   node dist/bench/limits.js [--rounds 5] [--quick] [--json]     (also part of `npm run bench`)
 *
 * Measures, for 1 and 2 threads:
 *   - the FMA peak (a register-only FMA loop) and the micro-kernel limit (our GEMM micro-kernel
 *     on packed panels that stay in L1), for every SIMD instruction set the CPU runs;
 *   - sgemm 512/1024 through the public API, allocation included: ours `a.matmul(b)`, PyTorch
 *     `a @ b` with OpenBLAS's best kernel for this CPU (OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE
 *     removed from that child's environment) and with the machine's environment as it is; every
 *     child pinned to its thread count (TRADECRAFT_THREADS; OPENBLAS_NUM_THREADS plus
 *     torch.set_num_threads);
 *   - the cold start: the first calls of a 256 x 256 matmul in fresh processes against the
 *     steady state of the same processes, ours and PyTorch's (`a @ b`, as many BLAS threads as
 *     ours has), their processes alternating;
 *   - the machine after idle: the FMA loop on one core in 0.1 ms chunks right after 50 ms of idle
 *     against the same without the pause (what a fresh process's first products meet).
 * Children run one at a time and alternate (ours, torch best, torch default, per thread count,
 * then the next round), so a busy spell on a shared machine hits all of them alike; each figure
 * is the median over rounds. Besides wall-clock GFLOP/s every figure has a per-CPU-second twin
 * (flops / CPU time of the process), which other processes taking turns on the cores disturb
 * far less: on a shared machine, read that one.
 */
import { spawn } from 'node:child_process';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { MARK, type Line, type ResultLine } from './protocol.js';
import { fmt, median, medianByIndex } from './stats.js';

const here = dirname(fileURLToPath(import.meta.url)); // dist/bench
const root = resolve(here, '..', '..');

export interface LimitsOptions { rounds: number; sizes: number[]; threads: number[]; coldProcesses: number; log?: (s: string) => void }

/**
 * One figure: medians over rounds of the wall-clock value and its per-CPU-second twin; for our
 * products also every timed window over the micro-kernel limit measured beside it (fractions).
 */
export interface Figure { wall: number; perCpu: number; n: number; samples: number[]; alongside?: number[] }

export interface LimitsReport {
  machine: Record<string, unknown> | null;
  /** threads -> name ('peak-fma-avx2', 'peak-kernel-avx2', 'ours sgemm-512', 'torch-best sgemm-512', ...) -> figure */
  byThreads: Record<number, Record<string, Figure>>;
  torch: Record<string, unknown>;
  cold: ColdStart | null;
  /** PyTorch's cold start, measured the same way in the same run. */
  coldTorch: ColdStart | null;
  ramp: Ramp | null;
  absent: Record<string, string>;
}

export interface ColdStart { n: number; processes: number; first10Seconds: number; steadySeconds: number; ratio: number; firstCallSeconds: number; perCall: number[] }

/**
 * The FMA loop on one core, per 0.1 ms chunk (median over rounds), right after `idleMs` of idle
 * and right after no pause; `firstMs*` is the first millisecond's mean GFLOP/s over the same
 * series' chunks 2-3 ms later.
 */
export interface Ramp { idleMs: number; chunkSeconds: number; afterIdle: number[]; noIdle: number[]; firstMsAfterIdle: number; firstMsNoIdle: number }

/** Per call index the median over processes; the first 10 calls' mean against the median of calls 30 on. */
export function coldStart(runs: number[][], n: number): ColdStart | null {
  if (runs.length === 0) return null;
  const perCall = medianByIndex(runs);
  const steady = median(perCall.slice(30));
  const first10 = perCall.slice(0, 10).reduce((s, x) => s + x, 0) / 10;
  return { n, processes: runs.length, first10Seconds: first10, steadySeconds: steady, ratio: first10 / steady, firstCallSeconds: perCall[0], perCall };
}

/** The first millisecond's mean over the chunks from 2 ms on (median): 1 when there is no ramp. */
export function firstMillisecond(chunks: number[], chunkSeconds: number): number {
  const perMs = Math.max(1, Math.round(1e-3 / chunkSeconds));
  const first = chunks.slice(0, perMs);
  return first.reduce((s, x) => s + x, 0) / first.length / median(chunks.slice(2 * perMs));
}

interface Child { lines: Line[]; error: string | null }

const resultOf = (c: Child): ResultLine | undefined => c.lines.find((l) => l.type === 'result') as ResultLine | undefined;

function runChild(cmd: string, args: string[], env: NodeJS.ProcessEnv): Promise<Child> {
  return new Promise((done) => {
    const lines: Line[] = [];
    let buf = '';
    let err = '';
    const p = spawn(cmd, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    p.stdout.on('data', (d: Buffer) => {
      buf += d.toString();
      let i: number;
      while ((i = buf.indexOf('\n')) >= 0) {
        const l = buf.slice(0, i);
        buf = buf.slice(i + 1);
        if (l.startsWith(MARK)) lines.push(JSON.parse(l.slice(MARK.length)) as Line);
      }
    });
    p.stderr.on('data', (d: Buffer) => { err = (err + d.toString()).slice(-2000); });
    p.on('error', (e) => done({ lines, error: e.message }));
    p.on('close', (code) => done({ lines, error: code === 0 ? null : (err.trim().split('\n').pop() ?? `exit ${code}`) }));
  });
}

const python = (): string => process.env.TRADECRAFT_BENCH_PYTHON ?? '/usr/bin/python3';

export async function runLimits(o: LimitsOptions): Promise<LimitsReport> {
  const log = o.log ?? ((): void => {});
  const samples: Record<number, Record<string, { wall: number[]; perCpu: number[]; alongside: number[] }>> = {};
  const report: LimitsReport = { machine: null, byThreads: {}, torch: {}, cold: null, coldTorch: null, ramp: null, absent: {} };
  const add = (t: number, name: string, r: ResultLine): void => {
    const s = ((samples[t] ??= {})[name] ??= { wall: [], perCpu: [], alongside: [] });
    s.wall.push(r.value);
    const x = r.extra as { perCore?: number; perCpuSecond?: number; alongside?: number[] } | undefined;
    s.perCpu.push(x?.perCore ?? x?.perCpuSecond ?? NaN);
    s.alongside.push(...(x?.alongside ?? []));
  };
  for (let round = 0; round < o.rounds; round++) {
    for (const t of o.threads) {
      log(`limits: round ${round + 1}/${o.rounds}, ${t} thread${t > 1 ? 's' : ''}`);
      const ours = await runChild(process.execPath, [join(here, 'limits-child.js'), JSON.stringify({ mode: 'limits', sizes: o.sizes, minTime: 0.2 })],
        { ...process.env, TRADECRAFT_THREADS: String(t), TRADECRAFT_BACKEND: 'native', TRADECRAFT_QUIET: '1' });
      const absent = ours.lines.find((l) => l.type === 'absent');
      if (absent) report.absent.ours = (absent as { reason: string }).reason;
      else if (ours.error) report.absent.ours = `failed: ${ours.error}`;
      for (const l of ours.lines) {
        if (l.type === 'info' && report.machine === null) report.machine = l.machine as Record<string, unknown>;
        if (l.type === 'result') add(t, l.key.startsWith('peak-') ? l.key : `ours ${l.key}`, l);
      }
      for (const variant of ['torch-best', 'torch-default'] as const) {
        const env: NodeJS.ProcessEnv = { ...process.env, OPENBLAS_NUM_THREADS: String(t), OMP_NUM_THREADS: String(t) };
        if (variant === 'torch-best') { delete env.OPENBLAS_CORETYPE; delete env.OPENBLAS_L2_SIZE; }
        const c = await runChild(python(), [join(root, 'bench', 'peers', 'torch_limits.py'), JSON.stringify({ sizes: o.sizes, minTime: 0.2, threads: t })], env);
        const absentT = c.lines.find((l) => l.type === 'absent');
        if (absentT) { report.absent[variant] = (absentT as { reason: string }).reason; continue; }
        if (c.error) report.absent[variant] = `failed: ${c.error}`;
        for (const l of c.lines) {
          if (l.type === 'info') report.torch[`${variant} ${t}t`] = { ...l, type: undefined };
          if (l.type === 'result') add(t, `${variant} ${l.key}`, l);
        }
      }
    }
  }
  for (const [t, m] of Object.entries(samples)) {
    report.byThreads[Number(t)] = Object.fromEntries(Object.entries(m).map(([k, s]) => [k, {
      wall: median(s.wall), perCpu: median(s.perCpu.filter(Number.isFinite).length ? s.perCpu.filter(Number.isFinite) : [NaN]), n: s.wall.length, samples: s.wall,
      ...(s.alongside.length > 0 ? { alongside: s.alongside } : {}),
    }]));
  }
  // Cold start: fresh processes, ours and PyTorch's alternating; per call index the median over
  // processes, so one process descheduled for a few milliseconds does not decide the figure.
  const times = (c: Child): number[] | null => (resultOf(c)?.extra as { times: number[] } | undefined)?.times ?? null;
  const threads = Math.max(...o.threads);
  const ours: number[][] = [], torch: number[][] = [];
  for (let p = 0; p < o.coldProcesses; p++) {
    const c = await runChild(process.execPath, [join(here, 'limits-child.js'), JSON.stringify({ mode: 'cold', n: 256, calls: 60 })],
      { ...process.env, TRADECRAFT_BACKEND: 'native', TRADECRAFT_QUIET: '1', TRADECRAFT_THREADS: String(threads) });
    const t = times(c);
    if (t) ours.push(t);
    if (report.absent['torch-default'] !== undefined) continue;
    const ct = await runChild(python(), [join(root, 'bench', 'peers', 'torch_limits.py'), JSON.stringify({ mode: 'cold', n: 256, calls: 60, threads })],
      { ...process.env, OPENBLAS_NUM_THREADS: String(threads), OMP_NUM_THREADS: String(threads) });
    const tt = times(ct);
    if (tt) torch.push(tt);
    else report.absent['torch cold start'] = ct.error ?? 'no result';
  }
  report.cold = coldStart(ours, 256);
  report.coldTorch = coldStart(torch, 256);
  const ramp = await runChild(process.execPath, [join(here, 'limits-child.js'), JSON.stringify({ mode: 'ramp', idleMs: 50, rounds: 8 })],
    { ...process.env, TRADECRAFT_BACKEND: 'native', TRADECRAFT_QUIET: '1' });
  const rr = resultOf(ramp);
  if (rr) {
    const x = rr.extra as { idleMs: number; chunkSeconds: number; afterIdle: number[]; noIdle: number[] };
    report.ramp = { ...x, firstMsAfterIdle: firstMillisecond(x.afterIdle, x.chunkSeconds), firstMsNoIdle: firstMillisecond(x.noIdle, x.chunkSeconds) };
  }
  return report;
}

/** FLOPs of one training sample: 3x the forward pass (forward, gradient of inputs, gradient of weights). */
export const TRAIN_FLOP_PER_SAMPLE = {
  // 784-256-256-10: 2 * (784*256 + 256*256 + 256*10)
  mlp: 3 * 2 * (784 * 256 + 256 * 256 + 256 * 10),
  // conv 1->32 and 32->64 (3x3, 28x28 then 14x14), linear 3136->128->10
  cnn: 3 * 2 * (28 * 28 * 32 * 9 + 14 * 14 * 64 * 32 * 9 + 3136 * 128 + 128 * 10),
} as const;

const pct = (x: number, of: number | undefined): string => (of && Number.isFinite(x) ? `${((100 * x) / of).toFixed(0)}%` : '-');

/**
 * The limits table: every compute figure with its % of the FMA peak and of the micro-kernel
 * limit at the same thread count (best instruction set). `extra` adds figures measured
 * elsewhere (training throughput converted to GFLOP/s), each with its thread count.
 */
export interface TrainingFigure {
  name: string;
  threads: number;
  gflops: number;
  /** Median over runs of each run's GFLOP/s over the micro-kernel limit measured just before and after it (a fraction). */
  alongside?: number;
  alongsideRange?: [number, number];
}

/**
 * Ours over PyTorch's best kernel, round by round: the children of one round run seconds apart,
 * so their ratio survives the machine's slower and faster minutes better than a ratio of medians.
 */
export function roundByRound(r: LimitsReport): string[] {
  const out: string[] = [];
  for (const [t, figs] of Object.entries(r.byThreads)) {
    for (const [name, f] of Object.entries(figs)) {
      if (!name.startsWith('ours sgemm-')) continue;
      const peer = figs[name.replace('ours', 'torch-best')];
      if (!peer || peer.samples.length !== f.samples.length) continue;
      const q = f.samples.map((x, i) => x / peer.samples[i]);
      out.push(`${name} / torch-best, ${t} thread${t === '1' ? '' : 's'}, round by round: ${median(q).toFixed(2)}x (${Math.min(...q).toFixed(2)}-${Math.max(...q).toFixed(2)}, ${q.length} rounds)`);
    }
  }
  return out;
}

export function printLimits(r: LimitsReport, extra: TrainingFigure[] = []): void {
  const m = r.machine as { vendor?: string; uarch?: string; family?: number; model?: number; isa?: string; gemm?: Record<string, unknown> } | null;
  console.log('');
  console.log(`Limits on this machine: ${m ? `${m.vendor} family ${m.family} model ${m.model} (${m.uarch}), ${m.isa}` : 'native addon absent'}` +
    (m?.gemm ? `; GEMM blocking ${JSON.stringify(m.gemm)}` : ''));
  for (const [k, v] of Object.entries(r.absent)) console.log(`  ${k}: ${v}`);
  const isa = m?.isa ?? 'avx2';
  const rows: string[][] = [['figure', 'threads', 'GFLOP/s (wall)', 'per CPU-s', '% FMA peak', '% kernel limit', 'n']];
  for (const [tStr, figs] of Object.entries(r.byThreads)) {
    const t = Number(tStr);
    const fma = figs[`peak-fma-${isa}`], ker = figs[`peak-kernel-${isa}`];
    for (const [name, f] of Object.entries(figs)) {
      const along = f.alongside ? `; each window vs the limit beside it: ${pct(median(f.alongside), 1)}, ${pct(Math.min(...f.alongside), 1)}-${pct(Math.max(...f.alongside), 1)}` : '';
      rows.push([name, String(t), fmt(f.wall), fmt(f.perCpu), pct(f.wall, fma?.wall), pct(f.wall, ker?.wall) + ` (per CPU-s ${pct(f.perCpu, ker?.perCpu)}${along})`, String(f.n)]);
    }
    for (const e of extra.filter((x) => x.threads === t)) {
      const along = e.alongside === undefined ? '' : ` (each run vs the limit beside it: ${pct(e.alongside, 1)}, runs ${e.alongsideRange!.map((v) => pct(v, 1)).join('-')})`;
      rows.push([e.name, String(t), fmt(e.gflops), '-', pct(e.gflops, fma?.wall), pct(e.gflops, ker?.wall) + along, '-']);
    }
  }
  const w = rows[0].map((_, i) => Math.max(...rows.map((row) => row[i].length)));
  for (const row of rows) console.log('  ' + row.map((c, i) => c.padEnd(w[i])).join('  '));
  for (const line of roundByRound(r)) console.log('  ' + line);
  for (const line of coldLines(r)) console.log('  ' + line);
}

/** The cold start's lines: ours, PyTorch's beside it, and what this machine does after idle. */
export function coldLines(r: LimitsReport): string[] {
  const ms = (s: number): string => (s * 1e3).toFixed(2);
  const figure = (c: ColdStart): string => `${ms(c.first10Seconds)} ms per call vs steady ${ms(c.steadySeconds)} ms = ${c.ratio.toFixed(2)}x (first call ${ms(c.firstCallSeconds)} ms)`;
  const out: string[] = [];
  if (r.cold) out.push(`cold start: first 10 calls of a ${r.cold.n}x${r.cold.n} matmul in a fresh process (median over ${r.cold.processes} processes per call): ${figure(r.cold)}`);
  if (r.coldTorch) out.push(`cold start, PyTorch \`a @ b\` measured the same way (${r.coldTorch.processes} processes alternating with ours): ${figure(r.coldTorch)}`);
  if (r.ramp) {
    const p = (x: number): string => `${(100 * x).toFixed(0)}%`;
    out.push(`after ${r.ramp.idleMs} ms of idle, one core's register-only FMA loop runs its first 1 ms at ${p(r.ramp.firstMsAfterIdle)} of its speed from 2 ms on ` +
      `(without the idle: ${p(r.ramp.firstMsNoIdle)}): the machine's own cold start, which a fresh process's first products meet`);
  }
  return out;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const argv = process.argv.slice(2);
  const quick = argv.includes('--quick');
  const ri = argv.indexOf('--rounds');
  const rounds = ri >= 0 ? Number(argv[ri + 1]) : quick ? 1 : 5;
  if (!Number.isInteger(rounds) || rounds < 1) { console.error('limits: --rounds needs a positive integer'); process.exit(2); }
  const report = await runLimits({ rounds, sizes: quick ? [512] : [512, 1024], threads: [1, 2], coldProcesses: quick ? 3 : 7, log: (s) => console.error(s) });
  printLimits(report);
  if (argv.includes('--json')) console.log(JSON.stringify(report));
}

/** The limits run `npm run bench` makes: `rounds` rounds (--runs; 5, or 1 with --quick), sgemm 512 and 1024. */
export function runLimitsFor(rounds: number, log: (s: string) => void): Promise<LimitsReport> {
  return runLimits({ rounds, sizes: [512, 1024], threads: [1, 2], coldProcesses: 7, log });
}

/**
 * Training throughput from the main benchmark as GFLOP/s (samples/s x TRAIN_FLOP_PER_SAMPLE),
 * for the limits table. Ours-native and PyTorch train on the default thread count (2 here).
 */
export function trainingAgainstLimits(entries: ReadonlyArray<{ key: string; peer: string; summary: { median: number } | null; samples?: number[]; extras?: Array<Record<string, unknown>> }>): TrainingFigure[] {
  const out: TrainingFigure[] = [];
  for (const e of entries) {
    const kind = e.key === 'mlp-train' ? 'mlp' : e.key === 'cnn-train' ? 'cnn' : null;
    if (kind === null || e.summary === null || (e.peer !== 'ours-native' && e.peer !== 'ours-default-heap' && e.peer !== 'torch')) continue;
    // Each run against the limit measured just before and just after it, then the median.
    const paired = (e.samples ?? []).flatMap((v, i) => {
      const x = e.extras?.[i] ?? {};
      const lims = [x.limitBefore, x.limitAfter].filter((l): l is number => typeof l === 'number' && l > 0);
      return lims.length > 0 ? [(v * TRAIN_FLOP_PER_SAMPLE[kind]) / 1e9 / (lims.reduce((a, b) => a + b, 0) / lims.length)] : [];
    });
    out.push({
      name: `${e.peer === 'torch' ? 'torch' : 'ours'} ${kind} train (batch 64${e.peer === 'ours-default-heap' ? ", V8's default heap" : ''})`, threads: 2, gflops: (e.summary.median * TRAIN_FLOP_PER_SAMPLE[kind]) / 1e9,
      ...(paired.length > 0 ? { alongside: median(paired), alongsideRange: [Math.min(...paired), Math.max(...paired)] as [number, number] } : {}),
    });
  }
  return out;
}
