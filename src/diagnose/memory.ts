import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { getGraphLeakMode, setGraphLeakMode, setGraphLeakSink, GraphLeakError } from '../autograd/graph-leak.js';

/**
 * Memory growth over training steps. A training loop should reach a steady state after its
 * first step or two (optimizer moment buffers are allocated once); memory that keeps rising
 * step after step is a leak — most often a tensor kept with its graph across steps
 * (`running = running.add(loss)`), which keeps every step's activations alive. Graph-leak
 * warnings raised during the steps are collected too, because they name the op at fault.
 */
export interface MemorySample {
  /** Steps completed when the sample was taken. */
  step: number;
  heapMB: number;
  arrayBuffersMB: number;
  /** heapUsed + arrayBuffers in MB (tensor storage lives in array buffers). */
  totalMB: number;
}

export interface MemoryGrowth {
  samples: MemorySample[];
  /** Least-squares slope of totalMB against step over the samples after the warm-up steps. */
  slopeMBPerStep: number;
  /** Fraction of the variance the linear fit explains (near 1 = steady growth, not noise). */
  r2: number;
  /** 'growing' when the slope is above the threshold and the growth is steady. */
  verdict: 'stable' | 'growing';
  /** Graph-leak warnings raised during the steps (one per distinct op pair). */
  leaks: string[];
  /** How memory was settled before each sample: a real garbage collection, or only allocation pressure. */
  gc: 'full' | 'pressure';
}

export interface MemoryGrowthOptions {
  /** Steps run before sampling starts, so one-time allocations do not count (default 2). */
  warmup?: number;
  /** Slope above which memory counts as growing (default 0.5 MB/step). */
  thresholdMBPerStep?: number;
}

let cachedGc: (() => void) | null | undefined;

/** global.gc when node runs with --expose-gc; otherwise V8's gc obtained at run time; null if neither works. */
function obtainGc(): (() => void) | null {
  if (cachedGc !== undefined) return cachedGc;
  const g = (globalThis as { gc?: () => void }).gc;
  if (typeof g === 'function') return (cachedGc = g);
  try {
    setFlagsFromString('--expose-gc');
    const fn = runInNewContext('gc') as unknown;
    cachedGc = typeof fn === 'function' ? (fn as () => void) : null;
  } catch {
    cachedGc = null;
  }
  return cachedGc;
}

/** Without a callable gc: churn through short-lived allocations so the collector runs. */
function allocationPressure(): void {
  let sink = 0;
  for (let i = 0; i < 64; i++) {
    const junk = new Float64Array(1 << 17); // 1 MB each
    junk[i] = i;
    sink += junk[i];
  }
  if (sink < 0) throw new Error('unreachable');
}

function sample(step: number, settle: () => void): MemorySample {
  settle();
  const m = process.memoryUsage();
  const heapMB = m.heapUsed / 2 ** 20;
  const arrayBuffersMB = m.arrayBuffers / 2 ** 20;
  return { step, heapMB, arrayBuffersMB, totalMB: heapMB + arrayBuffersMB };
}

/**
 * Runs `stepFn(i)` for i = 0..steps-1 (each call one full training step: forward, backward,
 * optimizer step), sampling heapUsed + arrayBuffers after a garbage collection following each
 * step after the warm-up, and fits a line through the samples. Graph-leak detection is
 * switched to 'warn' for the duration with its warnings captured (and restored afterwards);
 * in 'error' mode a GraphLeakError from a step is captured the same way and ends the run.
 */
export function memoryGrowth(stepFn: (step: number) => void, steps: number, opts: MemoryGrowthOptions = {}): MemoryGrowth {
  if (typeof stepFn !== 'function') throw new TypeError('memoryGrowth: stepFn must be a function that runs one training step');
  const warmup = opts.warmup ?? 2;
  if (!Number.isInteger(steps) || steps < warmup + 3) {
    throw new RangeError(`memoryGrowth: steps must be an integer of at least warmup + 3 = ${warmup + 3} to fit a slope, got ${steps}`);
  }
  const threshold = opts.thresholdMBPerStep ?? 0.5;
  const gc = obtainGc();
  const settle = gc ?? allocationPressure;
  const leaks: string[] = [];
  const prevMode = getGraphLeakMode();
  setGraphLeakMode('warn');
  const restoreSink = setGraphLeakSink((m) => { leaks.push(m); });
  const samples: MemorySample[] = [];
  try {
    for (let i = 0; i < steps; i++) {
      try {
        stepFn(i);
      } catch (e) {
        if (e instanceof GraphLeakError) { leaks.push(e.message); break; }
        throw e;
      }
      if (i + 1 >= warmup) samples.push(sample(i + 1, settle));
    }
  } finally {
    restoreSink();
    setGraphLeakMode(prevMode);
  }
  const { slope, r2 } = fitLine(samples.map((s) => s.step), samples.map((s) => s.totalMB));
  const verdict = slope > threshold && r2 > 0.5 ? 'growing' : 'stable';
  return { samples, slopeMBPerStep: slope, r2, verdict, leaks, gc: gc ? 'full' : 'pressure' };
}

/** Ordinary least squares y = a + b x; r2 is 0 when y does not vary. */
function fitLine(xs: number[], ys: number[]): { slope: number; r2: number } {
  const n = xs.length;
  if (n < 2) return { slope: 0, r2: 0 };
  const mx = xs.reduce((a, b) => a + b, 0) / n;
  const my = ys.reduce((a, b) => a + b, 0) / n;
  let sxy = 0, sxx = 0, syy = 0;
  for (let i = 0; i < n; i++) {
    sxy += (xs[i] - mx) * (ys[i] - my);
    sxx += (xs[i] - mx) ** 2;
    syy += (ys[i] - my) ** 2;
  }
  const slope = sxx > 0 ? sxy / sxx : 0;
  const r2 = sxx > 0 && syy > 0 ? (sxy * sxy) / (sxx * syy) : 0;
  return { slope, r2 };
}
