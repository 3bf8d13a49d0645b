import type { Optimizer, Hyper } from './optimizer.js';

/**
 * Learning-rate schedules as pure functions of the step count: `(t, baseLr) => lr`. They
 * compose (`sequentialSchedule`, `productSchedule`) and an `LRScheduler` applies one to an
 * optimizer's groups, the way torch.optim.lr_scheduler does: lr at construction is
 * schedule(0), and each step() advances t by one.
 */
export type Schedule = (t: number, baseLr: number) => number;

function positiveInt(name: string, v: number): void {
  if (!Number.isInteger(v) || v < 1) throw new RangeError(`${name} must be a positive integer, got ${v}`);
}

/** lr * gamma^floor(t / stepSize) (torch StepLR). */
export function stepSchedule(stepSize: number, gamma = 0.1): Schedule {
  positiveInt('stepSchedule: stepSize', stepSize);
  return (t, base) => base * gamma ** Math.floor(t / stepSize);
}

/** lr * gamma^(number of milestones reached) (torch MultiStepLR). */
export function multiStepSchedule(milestones: number[], gamma = 0.1): Schedule {
  const sorted = [...milestones].sort((a, b) => a - b);
  return (t, base) => base * gamma ** sorted.filter((m) => m <= t).length;
}

/** lr * gamma^t (torch ExponentialLR). */
export function exponentialSchedule(gamma: number): Schedule {
  if (!(gamma > 0)) throw new RangeError(`exponentialSchedule: gamma must be positive, got ${gamma}`);
  return (t, base) => base * gamma ** t;
}

/** etaMin + (lr - etaMin)(1 + cos(pi t / tMax)) / 2 (torch CosineAnnealingLR, closed form). */
export function cosineSchedule(tMax: number, etaMin = 0): Schedule {
  positiveInt('cosineSchedule: tMax', tMax);
  return (t, base) => etaMin + ((base - etaMin) * (1 + Math.cos((Math.PI * t) / tMax))) / 2;
}

/** Linear change of the factor from startFactor to endFactor over totalIters steps (torch LinearLR; a linear warmup). */
export function linearSchedule(startFactor = 1 / 3, endFactor = 1, totalIters = 5): Schedule {
  if (!(startFactor > 0 && startFactor <= 1)) throw new RangeError(`linearSchedule: startFactor must be in (0, 1], got ${startFactor}`);
  positiveInt('linearSchedule: totalIters', totalIters);
  return (t, base) => base * (startFactor + ((endFactor - startFactor) * Math.min(t, totalIters)) / totalIters);
}

export const constantSchedule = (): Schedule => (_t, base) => base;

/** Runs schedules one after another, switching at the milestones (torch SequentialLR); each restarts from t = 0. */
export function sequentialSchedule(schedules: Schedule[], milestones: number[]): Schedule {
  if (milestones.length !== schedules.length - 1) {
    throw new RangeError(`sequentialSchedule: ${schedules.length} schedules need ${schedules.length - 1} milestones, got ${milestones.length}`);
  }
  return (t, base) => {
    let i = 0;
    while (i < milestones.length && t >= milestones[i]) i++;
    return schedules[i](i === 0 ? t : t - milestones[i - 1], base);
  };
}

/** Multiplies schedules' factors: product(a, b)(t) = a(t, base) * b(t, 1). */
export function productSchedule(...schedules: Schedule[]): Schedule {
  return (t, base) => schedules.reduce((lr, s, i) => (i === 0 ? s(t, base) : lr * s(t, 1)), base);
}

/**
 * Linear warmup to the base lr over warmupSteps, constant, then a cooldown over the last
 * cooldownSteps down to base * finalFactor (linear or cosine).
 */
export function warmupCooldownSchedule(o: { warmupSteps: number; totalSteps: number; cooldownSteps: number; finalFactor?: number; shape?: 'linear' | 'cosine' }): Schedule {
  const { warmupSteps, totalSteps, cooldownSteps } = o;
  const final = o.finalFactor ?? 0;
  if (warmupSteps < 0 || cooldownSteps < 0 || warmupSteps + cooldownSteps > totalSteps) {
    throw new RangeError(`warmupCooldownSchedule: need warmupSteps + cooldownSteps <= totalSteps, got ${warmupSteps} + ${cooldownSteps} > ${totalSteps}`);
  }
  return (t, base) => {
    if (t < warmupSteps) return (base * (t + 1)) / warmupSteps;
    const coolStart = totalSteps - cooldownSteps;
    if (t < coolStart || cooldownSteps === 0) return base;
    const p = Math.min(1, (t - coolStart) / cooldownSteps);
    const f = o.shape === 'cosine' ? final + ((1 - final) * (1 + Math.cos(Math.PI * p))) / 2 : 1 - (1 - final) * p;
    return base * f;
  };
}

export interface OneCycleOptions {
  maxLr: number;
  totalSteps: number;
  pctStart?: number;
  annealStrategy?: 'cos' | 'linear';
  divFactor?: number;
  finalDivFactor?: number;
  baseMomentum?: number;
  maxMomentum?: number;
}

function anneal(kind: 'cos' | 'linear', start: number, end: number, pct: number): number {
  return kind === 'cos' ? end + ((start - end) / 2) * (Math.cos(Math.PI * pct) + 1) : (end - start) * pct + start;
}

/**
 * The 1cycle policy (Smith & Topin), two phases as torch OneCycleLR: from maxLr/divFactor up to
 * maxLr over pctStart of the steps, then down to initial/finalDivFactor; momentum moves inversely.
 */
export function oneCycle(o: OneCycleOptions): { lr: Schedule; momentum: (t: number) => number } {
  positiveInt('oneCycle: totalSteps', o.totalSteps);
  const pctStart = o.pctStart ?? 0.3, kind = o.annealStrategy ?? 'cos';
  if (!(pctStart > 0 && pctStart < 1)) throw new RangeError(`oneCycle: pctStart must be in (0, 1), got ${pctStart}`);
  const initial = o.maxLr / (o.divFactor ?? 25);
  const minLr = initial / (o.finalDivFactor ?? 1e4);
  const baseM = o.baseMomentum ?? 0.85, maxM = o.maxMomentum ?? 0.95;
  const end1 = pctStart * o.totalSteps - 1, end2 = o.totalSteps - 1;
  const at = (t: number, a: number, b: number, c: number): number => {
    if (t <= end1) return anneal(kind, a, b, t / end1);
    return anneal(kind, b, c, (t - end1) / (end2 - end1));
  };
  return { lr: (t) => at(t, initial, o.maxLr, minLr), momentum: (t) => at(t, maxM, baseM, maxM) };
}

/** Applies a schedule to every parameter group of an optimizer (optionally a momentum schedule too). */
export class LRScheduler {
  private t = 0;
  private readonly baseLrs: number[];

  constructor(readonly optimizer: Optimizer<Hyper>, readonly schedule: Schedule, readonly momentum?: (t: number) => number) {
    this.baseLrs = optimizer.paramGroups.map((g) => g.lr as number);
    this.apply();
  }

  step(): void {
    this.t++;
    this.apply();
  }

  get lastLr(): number[] {
    return this.optimizer.paramGroups.map((g) => g.lr as number);
  }

  private apply(): void {
    this.optimizer.paramGroups.forEach((g, i) => {
      const rec = g as Record<string, unknown>;
      rec.lr = this.schedule(this.t, this.baseLrs[i]);
      if (this.momentum) {
        const m = this.momentum(this.t);
        if (Array.isArray(rec.betas)) rec.betas = [m, (rec.betas as number[])[1]];
        else if ('momentum' in rec) rec.momentum = m;
      }
    });
  }

  stateDict(): { t: number; baseLrs: number[] } {
    return { t: this.t, baseLrs: [...this.baseLrs] };
  }

  loadStateDict(sd: { t: number; baseLrs: number[] }): void {
    this.t = sd.t;
    sd.baseLrs.forEach((b, i) => { this.baseLrs[i] = b; });
    this.apply();
  }
}

export interface PlateauOptions {
  mode?: 'min' | 'max';
  factor?: number;
  patience?: number;
  threshold?: number;
  thresholdMode?: 'rel' | 'abs';
  cooldown?: number;
  minLr?: number;
  eps?: number;
}

/** Cuts the lr by `factor` when a metric stops improving for `patience` epochs (torch ReduceLROnPlateau). */
export class ReduceLROnPlateau {
  private best: number;
  private badEpochs = 0;
  private cooldownLeft = 0;
  readonly o: Required<PlateauOptions>;

  constructor(readonly optimizer: Optimizer<Hyper>, opts: PlateauOptions = {}) {
    this.o = { mode: 'min', factor: 0.1, patience: 10, threshold: 1e-4, thresholdMode: 'rel', cooldown: 0, minLr: 0, eps: 1e-8, ...opts };
    if (!(this.o.factor < 1 && this.o.factor > 0)) throw new RangeError(`ReduceLROnPlateau: factor must be in (0, 1), got ${this.o.factor}`);
    this.best = this.o.mode === 'min' ? Infinity : -Infinity;
  }

  private isBetter(v: number): boolean {
    const { mode, thresholdMode: tm, threshold: th } = this.o;
    if (mode === 'min') return tm === 'rel' ? v < this.best * (1 - th) : v < this.best - th;
    return tm === 'rel' ? v > this.best * (1 + th) : v > this.best + th;
  }

  step(metric: number): void {
    if (!Number.isFinite(metric)) throw new RangeError(`ReduceLROnPlateau.step: the metric is ${metric}; it must be a finite number`);
    if (this.isBetter(metric)) { this.best = metric; this.badEpochs = 0; } else this.badEpochs++;
    if (this.cooldownLeft > 0) { this.cooldownLeft--; this.badEpochs = 0; }
    if (this.badEpochs > this.o.patience) {
      for (const g of this.optimizer.paramGroups) {
        const old = g.lr as number;
        const next = Math.max(old * this.o.factor, this.o.minLr);
        if (old - next > this.o.eps) (g as Record<string, unknown>).lr = next;
      }
      this.cooldownLeft = this.o.cooldown;
      this.badEpochs = 0;
    }
  }

  get lastLr(): number[] {
    return this.optimizer.paramGroups.map((g) => g.lr as number);
  }

  stateDict(): { best: number; badEpochs: number; cooldownLeft: number } {
    return { best: this.best, badEpochs: this.badEpochs, cooldownLeft: this.cooldownLeft };
  }

  loadStateDict(sd: { best: number; badEpochs: number; cooldownLeft: number }): void {
    Object.assign(this, sd);
  }
}
