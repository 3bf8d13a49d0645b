import type { HParamValue } from '../../experiments/define.js';
import type { FrozenTrial, ParamSpec, Params, Sampler, SampleContext, SearchSpace } from '../types.js';
import { conditionHolds, orderParams } from '../space.js';
import { directionSign } from './trials.js';
import { randomParams } from './random.js';
import { ParzenEstimator, type KernelDim } from './parzen.js';

export interface TpeOptions {
  /** Random trials before TPE starts (Optuna: 10); counts complete and pruned trials. */
  nStartupTrials?: number;
  /** Candidates drawn from l(x) and ranked by l(x)/g(x) (Optuna: 24). */
  nEiCandidates?: number;
  /** Size of the good group for n trials (Optuna: min(ceil(0.1 n), 25)). */
  gamma?: (n: number) => number;
  /** Weight of the prior kernel (Optuna: 1.0). */
  priorWeight?: number;
  /** Clip bandwidths from below by range/min(100, n+2) (Optuna: true). */
  magicClip?: boolean;
  /**
   * Count running trials as the worst ones so parallel workers spread out (Optuna's
   * `constant_liar`; off by default there, on by default here because studies run many workers).
   */
  constantLiar?: boolean;
}

/** Optuna's default gamma: the best 10% of trials, at most 25. */
export const defaultGamma = (n: number): number => Math.min(Math.ceil(0.1 * n), 25);

/** Optuna's default weights: flat for the newest 25 observations, a linear ramp for older ones. */
export function defaultWeights(n: number): number[] {
  if (n === 0) return [];
  if (n < 25) return new Array<number>(n).fill(1);
  const ramp = Array.from({ length: n - 25 }, (_, i) => (n - 25 === 1 ? 1 / n : 1 / n + (i * (1 - 1 / n)) / (n - 26)));
  return [...ramp, ...new Array<number>(25).fill(1)];
}

/**
 * Tree-structured Parzen Estimator (Bergstra, Bardenet, Bengio & Kégl 2011) in Optuna's
 * multivariate form with Optuna's defaults. Trials are split into the best gamma(n) ("below",
 * density l) and the rest ("above", density g); 24 candidates drawn from l are ranked by
 * log l − log g and the best is returned. Conditional parameters are sampled group by group:
 * first the unconditional ones jointly, then each newly active set jointly over the trials
 * where it was active (Optuna's `group=True` idea).
 * @example createSampler('tpe', { nStartupTrials: 10 })
 */
export class TpeSampler implements Sampler {
  readonly name = 'tpe';
  private readonly o: Required<TpeOptions>;

  constructor(options: TpeOptions = {}) {
    this.o = {
      nStartupTrials: options.nStartupTrials ?? 10,
      nEiCandidates: options.nEiCandidates ?? 24,
      gamma: options.gamma ?? defaultGamma,
      priorWeight: options.priorWeight ?? 1,
      magicClip: options.magicClip ?? true,
      constantLiar: options.constantLiar ?? true,
    };
    if (!(this.o.priorWeight > 0)) throw new RangeError(`tpe sampler: priorWeight must be positive, got ${this.o.priorWeight}`);
    if (!Number.isInteger(this.o.nEiCandidates) || this.o.nEiCandidates < 1) throw new RangeError(`tpe sampler: nEiCandidates must be a positive integer`);
  }

  async sample(space: SearchSpace, trials: readonly FrozenTrial[], ctx: SampleContext): Promise<{ params: Params }> {
    const finished = trials.filter((t) => t.state === 'complete' || t.state === 'pruned');
    if (finished.length < this.o.nStartupTrials) return { params: randomParams(space, ctx.random) };
    const sign = directionSign(ctx.direction);
    const usable = trials.filter((t) => isUsable(t) || (this.o.constantLiar && t.state === 'running' && Object.keys(t.params).length > 0));
    const chosen: Params = {};
    const order = orderParams(space);
    for (;;) {
      const group = order.filter((n) => !(n in chosen) && conditionHolds(space[n], chosen));
      if (group.length === 0) break;
      for (const n of group) if (space[n].type === 'fixed') chosen[n] = (space[n] as { value: HParamValue }).value;
      const searched = group.filter((n) => space[n].type !== 'fixed');
      if (searched.length > 0) Object.assign(chosen, this.sampleGroup(space, searched, usable, sign, ctx.random));
    }
    return { params: Object.fromEntries(order.filter((n) => n in chosen).map((n) => [n, chosen[n]])) };
  }

  private sampleGroup(space: SearchSpace, names: string[], trials: FrozenTrial[], sign: number, random: () => number): Params {
    const dims = names.map((n) => kernelDim(space[n]));
    const relevant = trials.filter((t) => names.every((n, j) => n in t.params && encode(space[n], dims[j], t.params[n]) !== undefined));
    if (relevant.length === 0) return randomParams(Object.fromEntries(names.map((n) => [n, { ...space[n], when: undefined }])), random);
    // As Optuna, gamma counts finished trials only; running ones (the liar's) all go above.
    const { below, above } = splitTrials(relevant, this.o.gamma(relevant.filter((t) => t.state !== 'running').length), sign);
    const rows = (ts: FrozenTrial[]): number[][] => ts.map((t) => names.map((n, j) => encode(space[n], dims[j], t.params[n])!));
    const opts = { priorWeight: this.o.priorWeight, magicClip: this.o.magicClip };
    const l = new ParzenEstimator(dims, rows(below), defaultWeights(below.length), opts);
    const g = new ParzenEstimator(dims, rows(above), defaultWeights(above.length), opts);
    let best: number[] | undefined;
    let bestScore = -Infinity;
    for (const x of l.sample(this.o.nEiCandidates, random)) {
      const score = l.logPdf(x) - g.logPdf(x);
      if (best === undefined || score > bestScore) { best = x; bestScore = score; }
    }
    return Object.fromEntries(names.map((n, j) => [n, decode(space[n], best![j])]));
  }
}

const isUsable = (t: FrozenTrial): boolean =>
  (t.state === 'complete' && typeof t.value === 'number' && Number.isFinite(t.value)) ||
  t.state === 'pruned';

/**
 * Optuna's split: complete trials rank by value; pruned ones after them, deeper (later step)
 * first, then by their last intermediate value; running trials (constant liar) are worst.
 * Each group is returned in trial order, so the recency weights fall on the newest trials.
 */
export function splitTrials(trials: FrozenTrial[], nBelow: number, sign: number): { below: FrozenTrial[]; above: FrozenTrial[] } {
  const key = (t: FrozenTrial): [number, number, number] => {
    if (t.state === 'complete') return [0, 0, sign * t.value!];
    if (t.state === 'pruned') {
      const steps = Object.keys(t.intermediate).map(Number);
      if (steps.length === 0) return [1, 1, 0]; // pruned before reporting: last of the pruned
      const last = Math.max(...steps);
      const v = t.intermediate[last];
      return [1, -last, Number.isFinite(v) ? sign * v : Infinity];
    }
    return [2, 0, 0];
  };
  const ranked = [...trials].sort((a, b) => {
    const ka = key(a);
    const kb = key(b);
    return ka[0] - kb[0] || ka[1] - kb[1] || ka[2] - kb[2] || a.number - b.number;
  });
  const byNumber = (a: FrozenTrial, b: FrozenTrial): number => a.number - b.number;
  // Running trials never enter the good group, even when there are few finished ones.
  const cut = Math.min(nBelow, ranked.filter((t) => t.state !== 'running').length);
  return { below: ranked.slice(0, cut).sort(byNumber), above: ranked.slice(cut).sort(byNumber) };
}

/** TPE's working coordinate for a parameter, as Optuna: log applied; ints on their step grid; log ints continuous. */
function kernelDim(spec: ParamSpec): KernelDim {
  switch (spec.type) {
    case 'categorical': return { kind: 'categorical', choices: spec.choices.length };
    case 'int':
      if (spec.log) return { kind: 'numeric', low: Math.log(spec.low - 0.5), high: Math.log(spec.high + 0.5) };
      return { kind: 'numeric', low: spec.low, high: spec.high, step: spec.step ?? 1 };
    case 'float':
      if (spec.log) return { kind: 'numeric', low: Math.log(spec.low), high: Math.log(spec.high) };
      return { kind: 'numeric', low: spec.low, high: spec.high, ...(spec.step !== undefined ? { step: spec.step } : {}) };
    case 'fixed': throw new Error('tpe: fixed parameters have no kernel');
  }
}

/** A trial's value in working coordinates, or undefined when it lies outside the space (e.g. an old space). */
function encode(spec: ParamSpec, dim: KernelDim, v: HParamValue): number | undefined {
  if (spec.type === 'categorical') {
    const k = spec.choices.findIndex((c) => c === v);
    return k < 0 ? undefined : k;
  }
  if (typeof v !== 'number' || spec.type === 'fixed' || v < spec.low || v > spec.high) return undefined;
  if (dim.kind !== 'numeric') return undefined;
  return spec.log ? Math.log(v) : v;
}

function decode(spec: ParamSpec, x: number): HParamValue {
  switch (spec.type) {
    case 'categorical': return spec.choices[x];
    case 'fixed': return spec.value;
    case 'int': {
      const v = spec.log ? Math.round(Math.exp(x)) : Math.round(x);
      return Math.min(spec.high, Math.max(spec.low, v));
    }
    case 'float': {
      if (spec.step !== undefined) return Math.min(spec.high, Number(x.toPrecision(15)));
      const v = spec.log ? Math.exp(x) : x;
      return Math.min(spec.high, Math.max(spec.low, v));
    }
  }
}
