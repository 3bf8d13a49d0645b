import { selectBackend } from '../../src/backend/select.js';
await selectBackend();

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Parameter } from '../../src/tensor/tensor.js';
import { zeros } from '../../src/tensor/create.js';
import { SGD } from '../../src/optim/sgd.js';
import { Adam } from '../../src/optim/adam.js';
import type { Optimizer, Hyper } from '../../src/optim/optimizer.js';
import {
  LRScheduler, ReduceLROnPlateau, stepSchedule, multiStepSchedule, exponentialSchedule, cosineSchedule,
  linearSchedule, sequentialSchedule, oneCycle, type Schedule,
} from '../../src/optim/schedules.js';
import { loadFixture, expectValues, expectNumber, type Tol } from './fixture.js';

/**
 * Learning-rate schedule parity with torch.optim.lr_scheduler (1.13): our schedules applied to
 * an optimizer through LRScheduler (or ReduceLROnPlateau) give the lr (and the OneCycle
 * momentum / beta1) that PyTorch had before each of the 30 scheduler steps, and after the last.
 */

type Args = Record<string, any>;
interface SchedCase {
  name: string;
  scheduler: string;
  args: Args;
  resolved_args?: Args;
  optimizer: { type: 'SGD' | 'Adam'; options: Args };
  lrs: number[];
  momentums?: number[];
  beta1s?: number[];
  metrics?: number[];
  final_lr: number;
}
const fixture = loadFixture<{ epochs: number; base_lr: number; cases: SchedCase[] }>('schedules.json');

/**
 * The lrs are float64 on both sides, so the tolerance is float64-sized: torch computes most
 * schedules recursively (lr *= gamma each step, the cosine recurrence), we use closed forms, and
 * the two differ by accumulated rounding of ~1e-16 per step over 30 steps.
 */
const TOL: Tol = { atol: 1e-15, rtol: 1e-12 };

/**
 * torch scheduler name + the kwargs the case passed explicitly -> our schedule function. Unset
 * arguments are left undefined so our defaults stand in for torch's (which the fixture's
 * resolved_args record); checkArgs makes sure no argument goes untranslated.
 */
function schedule(name: string, a: Args): Schedule {
  switch (name) {
    case 'StepLR': checkArgs(a, ['step_size', 'gamma']); return stepSchedule(a.step_size, a.gamma);
    case 'MultiStepLR': checkArgs(a, ['milestones', 'gamma']); return multiStepSchedule(a.milestones, a.gamma);
    case 'ExponentialLR': checkArgs(a, ['gamma']); return exponentialSchedule(a.gamma);
    case 'CosineAnnealingLR': checkArgs(a, ['T_max', 'eta_min']); return cosineSchedule(a.T_max, a.eta_min);
    case 'LinearLR': checkArgs(a, ['start_factor', 'end_factor', 'total_iters']); return linearSchedule(a.start_factor, a.end_factor, a.total_iters);
    default: throw new Error(`no translation for torch scheduler ${name}`);
  }
}

function checkArgs(a: Args, known: string[]): void {
  const unknown = Object.keys(a).filter((k) => !known.includes(k));
  assert.deepEqual(unknown, [], `untranslated torch scheduler arguments: ${unknown.join(', ')}`);
}

function makeOptimizer(c: SchedCase): { opt: Optimizer<Hyper>; p: Parameter } {
  const p = new Parameter(zeros([2]));
  const o = c.optimizer.options;
  const opt = c.optimizer.type === 'SGD'
    ? new SGD([p], { lr: o.lr, momentum: o.momentum ?? 0 })
    : new Adam([p], { lr: o.lr });
  assert.equal(o.lr, fixture.base_lr);
  return { opt: opt as unknown as Optimizer<Hyper>, p };
}

/** The fixture's loop: read the lr, take an optimizer step, then a scheduler step. */
function run(c: SchedCase, opt: Optimizer<Hyper>, p: Parameter, step: (epoch: number) => void): { lrs: number[]; momentums: number[]; beta1s: number[] } {
  const lrs: number[] = [], momentums: number[] = [], beta1s: number[] = [];
  for (let epoch = 0; epoch < fixture.epochs; epoch++) {
    const g = opt.paramGroups[0] as Record<string, unknown>;
    lrs.push(g.lr as number);
    if (typeof g.momentum === 'number') momentums.push(g.momentum);
    if (Array.isArray(g.betas)) beta1s.push(g.betas[0] as number);
    opt.zeroGrad();
    p.sum().backward();
    opt.step();
    step(epoch);
  }
  return { lrs, momentums, beta1s };
}

function ourScheduler(c: SchedCase, opt: Optimizer<Hyper>): LRScheduler {
  if (c.scheduler === 'SequentialLR') {
    const subs = (c.args.schedulers as Array<{ scheduler: string; args: Args }>).map((s) => schedule(s.scheduler, s.args));
    return new LRScheduler(opt, sequentialSchedule(subs, c.args.milestones));
  }
  if (c.scheduler === 'OneCycleLR') {
    // Only max_lr and total_steps are set; torch's defaults (pct_start 0.3, cos, div 25, final div
    // 1e4, momentum 0.85..0.95, two phases, momentum cycled) must be ours too.
    checkArgs(c.args, ['max_lr', 'total_steps']);
    assert.equal(c.resolved_args!.three_phase, false);
    assert.equal(c.resolved_args!.cycle_momentum, true);
    const oc = oneCycle({ maxLr: c.args.max_lr, totalSteps: c.args.total_steps });
    return new LRScheduler(opt, oc.lr, oc.momentum);
  }
  return new LRScheduler(opt, schedule(c.scheduler, c.args));
}

for (const c of fixture.cases.filter((x) => x.scheduler !== 'ReduceLROnPlateau')) {
  test(`${c.name} (${c.optimizer.type}): ${fixture.epochs} lrs${c.momentums ? ' and momentums' : ''}${c.beta1s ? ' and beta1s' : ''} match torch`, () => {
    const { opt, p } = makeOptimizer(c);
    const sched = ourScheduler(c, opt);
    const got = run(c, opt, p, () => sched.step());
    expectValues(got.lrs, c.lrs, TOL, `${c.name}: lrs`);
    expectNumber(opt.lr, c.final_lr, TOL, `${c.name}: final lr`);
    if (c.momentums) expectValues(got.momentums, c.momentums, TOL, `${c.name}: momentums`);
    if (c.beta1s) {
      expectValues(got.beta1s, c.beta1s, TOL, `${c.name}: beta1s`);
      // Adam's beta2 is left alone by the momentum schedule.
      assert.equal((opt.paramGroups[0].betas as number[])[1], 0.999);
    }
  });
}

const plateau = fixture.cases.find((c) => c.scheduler === 'ReduceLROnPlateau');
test('ReduceLROnPlateau fed the recorded metric sequence cuts the lr on the same epochs as torch', () => {
  assert.ok(plateau?.metrics, 'schedules.json has the ReduceLROnPlateau case');
  // Explicit args only; threshold_mode 'rel', cooldown 0, min_lr 0 and eps 1e-8 are our defaults too.
  const a = plateau.args;
  checkArgs(a, ['mode', 'factor', 'patience', 'threshold']);
  const { opt, p } = makeOptimizer(plateau);
  const sched = new ReduceLROnPlateau(opt, { mode: a.mode, factor: a.factor, patience: a.patience, threshold: a.threshold });
  const r = plateau.resolved_args!;
  assert.deepEqual(
    { thresholdMode: sched.o.thresholdMode, cooldown: sched.o.cooldown, minLr: sched.o.minLr, eps: sched.o.eps },
    { thresholdMode: r.threshold_mode, cooldown: r.cooldown, minLr: r.min_lr, eps: r.eps }, 'defaults as torch');
  const got = run(plateau, opt, p, (epoch) => sched.step(plateau.metrics![epoch]));
  // Here the lr is only ever halved, so the values are exact.
  expectValues(got.lrs, plateau.lrs, { atol: 0, rtol: 0 }, 'ReduceLROnPlateau lrs');
  expectNumber(opt.lr, plateau.final_lr, { atol: 0, rtol: 0 }, 'ReduceLROnPlateau final lr');
  assert.ok(new Set(plateau.lrs).size >= 3, 'the fixture exercises at least two cuts');
});
