import { LRScheduler } from '../optim/schedules.js';
import type { Optimizer, Hyper } from '../optim/optimizer.js';
import type { Experiment, HParams } from '../experiments/define.js';
import type { LoadedCheckpoint } from './checkpoint.js';

/**
 * How a run continued past its epoch budget treats a learning-rate schedule that was computed
 * over that budget (a cosine to zero, a 1cycle):
 * - `extend`: the schedule is rebuilt longer by the epochs added and continues at the step the
 *   run reached, as if the run had been planned for the new number of epochs (the lr jumps up to
 *   the longer schedule's value at that step);
 * - `restart`: a fresh schedule over the remaining epochs starts at the step the run reached
 *   (a warm restart, as in SGDR).
 */
export type RescheduleMode = 'extend' | 'restart';
export const RESCHEDULE_MODES: readonly RescheduleMode[] = ['extend', 'restart'];

/**
 * Whether the experiment's schedule changes when only `epochs` changes: both schedules are
 * stepped side by side over the longer budget and their learning rates compared. A schedule
 * that ignores the budget (constant, step decay, ReduceLROnPlateau) can simply run on.
 * The optimizer's learning rates are put back afterwards.
 */
export function scheduleDependsOnEpochs(
  exp: Experiment<HParams>, hp: HParams, newEpochs: number, stepsPerEpoch: number, optimizer: Optimizer<Hyper>,
): boolean {
  if (!exp.scheduler) return false;
  const saved = optimizer.paramGroups.map((g) => g.lr);
  try {
    const a = exp.scheduler(optimizer, hp, stepsPerEpoch);
    const b = exp.scheduler(optimizer, { ...hp, epochs: newEpochs }, stepsPerEpoch);
    if (!(a instanceof LRScheduler) || !(b instanceof LRScheduler)) return false;
    const perEpoch = exp.schedulerInterval === 'step' ? stepsPerEpoch : 1;
    const horizon = Math.max(Number(hp.epochs), newEpochs) * perEpoch;
    for (let t = 0; t <= horizon; t++) {
      // Each LRScheduler writes the lr it computes into the optimizer, so read one at a time.
      a.loadStateDict({ t, baseLrs: saved as number[] });
      const la = a.lastLr;
      b.loadStateDict({ t, baseLrs: saved as number[] });
      const lb = b.lastLr;
      if (la.some((v, i) => v !== lb[i])) return true;
    }
    return false;
  } finally {
    optimizer.paramGroups.forEach((g, i) => { (g as Record<string, unknown>).lr = saved[i]; });
  }
}

/**
 * The epochs the schedule is built over after a reschedule, and the checkpoint adjusted for it.
 * `extend` lengthens the current schedule (spanning `scheduleEpochs`, the run's planned epochs
 * unless an earlier restart shortened it) by the epochs added, and keeps its position t;
 * `restart` builds it over the remaining epochs and starts it at t = 0 (keeping its base lrs).
 */
export function applyReschedule(
  mode: RescheduleMode, resume: LoadedCheckpoint, o: { plannedEpochs: number; newEpochs: number; scheduleEpochs: number },
): { scheduleEpochs: number } {
  if (mode === 'extend') return { scheduleEpochs: o.scheduleEpochs + (o.newEpochs - o.plannedEpochs) };
  const s = resume.trainer.scheduler as { t?: number; baseLrs?: number[] } | undefined;
  if (s && typeof s.t === 'number') resume.trainer.scheduler = { ...s, t: 0 };
  return { scheduleEpochs: o.newEpochs - resume.trainer.epoch };
}
