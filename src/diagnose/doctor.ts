import type { Tensor } from '../tensor/tensor.js';
import type { Module } from '../nn/module.js';
import type { Experiment, HParams, DataSplits } from '../experiments/define.js';
import { manualSeed } from '../tensor/random.js';
import { noGrad } from '../autograd/grad-mode.js';
import { DataLoader } from '../data/loader.js';
import { dataSanity, type DataSanity } from './data-sanity.js';
import { nanTriage } from './nan-triage.js';
import { gradientFlow } from './gradient-flow.js';
import { activationStats } from './activation-stats.js';
import { deadUnits } from './dead-units.js';
import { overfitBatch } from './overfit.js';
import { lrProbe, logSpacedLrs, setLearningRate } from './lr-probe.js';
import { collectBroadcastWarnings } from './broadcast-check.js';
import { memoryGrowth } from './memory.js';
import { setGraphLeakSink } from '../autograd/graph-leak.js';
import { TRAINING_HEAP_FLAG, trainingHeapOption } from '../train/node-heap.js';

/**
 * The doctor: a fixed series of checks that read an experiment's data, a freshly built model,
 * one batch and a few training steps, and say what is wrong and what to try — before hours go
 * into a run that was never going to work. Every check that trains starts from the same
 * seeded initialization, so the checks do not disturb each other. A check that crashes is
 * reported as a failure with the error, and the others still run.
 */
export type CheckStatus = 'pass' | 'warn' | 'fail';

export interface DoctorCheck {
  name: string;
  status: CheckStatus;
  /** What was measured, in one line. */
  detail: string;
  /** One line on what to do (empty when the check passed). */
  advice: string;
}

export interface DoctorReport {
  experiment: string;
  checks: DoctorCheck[];
  /** True when no check failed (warnings allowed). */
  passed: boolean;
  seconds: number;
}

export interface DoctorOptions {
  /** Passed to the experiment's data function (--data-dir). */
  dataDir?: string;
  /** Examples in the probe batch used by most checks (default 32). */
  batchSize?: number;
  /** Examples in the forward pass that looks for dead ReLU units (default 256). */
  deadUnitExamples?: number;
  /** Step limit when overfitting one batch (default 200). */
  overfitSteps?: number;
  /** Learning rates of the LR probe (default 1e-5, 1e-4, ..., 1). */
  probeLrs?: number[];
  /** Steps per learning rate in the LR probe (default 10). */
  probeSteps?: number;
  /** Training steps watched for graph leaks and memory growth (default 10). */
  memorySteps?: number;
  /** Called after each check (progress output). */
  onCheck?: (check: DoctorCheck, seconds: number) => void;
}

/** The data subset the doctor uses unless told otherwise, so a check-up of MNIST takes seconds, not minutes. */
export const DOCTOR_SUBSET = { limitTrain: 2000, limitTest: 1000 } as const;

/**
 * Shrinks the data for the doctor when the experiment supports the conventional subset
 * hyperparameters and the user did not set them: limitTrain to 2000 and limitTest to 1000
 * (when they are 0, meaning all, or larger), and valSize to a quarter of limitTrain when it
 * would not fit. Returns the new hyperparameters and the assignments made, for the report.
 */
export function doctorHparams(hp: HParams, explicit: ReadonlySet<string>): { hp: HParams; applied: string[] } {
  const out: HParams = { ...hp };
  const applied: string[] = [];
  const set = (k: string, v: number): void => { out[k] = v; applied.push(`${k}=${v}`); };
  for (const [k, limit] of Object.entries(DOCTOR_SUBSET)) {
    const v = out[k];
    if (typeof v === 'number' && !explicit.has(k) && (v === 0 || v > limit)) set(k, limit);
  }
  const lt = out.limitTrain;
  const vs = out.valSize;
  if (typeof lt === 'number' && lt > 0 && typeof vs === 'number' && !explicit.has('valSize') && vs > lt / 4) set('valSize', Math.floor(lt / 4));
  return { hp: out, applied };
}

type Outcome = Omit<DoctorCheck, 'name'>;

const pass = (detail: string): Outcome => ({ status: 'pass', detail, advice: '' });

function fmt(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  if (v === 0) return '0';
  const a = Math.abs(v);
  return a >= 1e-3 && a < 1e5 ? String(Number(v.toPrecision(3))) : v.toExponential(1).replace('e+', 'e');
}

/** Two decimals for data statistics (which are near 1 when the data is standardized). */
function stat(v: number): string {
  if (!Number.isFinite(v) || Math.abs(v) >= 1e4) return fmt(v);
  const r = Math.round(v * 100) / 100;
  return String(r === 0 ? 0 : r);
}

/** Four significant digits, for losses. */
function lossText(v: number): string {
  return Number.isFinite(v) ? String(Number(v.toPrecision(4))) : String(v);
}

/** 1e-5, 3e-4, 0.1, 1: exponents below 0.1 so decades line up. */
function lrText(lr: number): string {
  if (lr >= 0.1 && lr < 1e4) return String(Number(lr.toPrecision(3)));
  const e = lr.toExponential(2).replace('e+', 'e');
  return e.replace(/\.?0+e/, 'e');
}

/** a, b, c, ..., z in depth order, eliding the middle of long lists. */
function byDepth(values: number[]): string {
  const parts = values.map(fmt);
  return (parts.length > 6 ? [...parts.slice(0, 3), '...', ...parts.slice(-2)] : parts).join(', ');
}

/** Advice for the op that made the first NaN/Inf. */
function nanAdvice(op: string | undefined, stage: string | undefined): string {
  if (stage === 'data') return 'clean the data: drop or impute NaN/Inf values before training';
  if (stage === 'step') return 'the optimizer update is non-finite: check eps (> 0) and other optimizer hyperparameters';
  switch (op) {
    case 'log': return 'log of 0: use logSoftmax/crossEntropy on logits instead of log(softmax), or clamp the input (x.clamp(1e-12, null))';
    case 'div': case 'reciprocal': return 'division by 0: add a small epsilon to the denominator';
    case 'sqrt': case 'rsqrt': case 'pow': return 'sqrt/pow at 0 has an infinite gradient: add a small epsilon inside';
    case 'exp': return 'exp overflows: subtract the max first (logsumexp) or clamp the input';
    default: return `check the input range of '${op ?? 'the op'}' at the line named in the detail`;
  }
}

/**
 * Runs every check on the experiment with these hyperparameters (see doctorHparams for a quick
 * subset). Graph-leak warnings raised by any check that trains are collected (not printed) and
 * reported by the 'graph leak' check. The probe batch is the first batchSize examples of the
 * training split in a seeded shuffled order; training augmentation (trainTransform) is not
 * applied, so the checks see the data as stored.
 */
export function runDoctor(exp: Experiment<HParams>, hp: HParams, opts: DoctorOptions = {}): DoctorReport {
  const leaks = new Set<string>();
  const restoreSink = setGraphLeakSink((m) => { leaks.add(m); });
  try {
    return runChecks(exp, hp, opts, leaks);
  } finally {
    restoreSink();
  }
}

function runChecks(exp: Experiment<HParams>, hp: HParams, opts: DoctorOptions, leaks: Set<string>): DoctorReport {
  const t0 = performance.now();
  const checks: DoctorCheck[] = [];
  const run = (name: string, fn: () => Outcome): void => {
    const start = performance.now();
    let outcome: Outcome;
    try {
      outcome = fn();
    } catch (e) {
      outcome = {
        status: 'fail', detail: `error: ${(e as Error).message}`,
        advice: 'training would hit this error too; fix it (set TRADECRAFT_DEBUG=1 to print its stack)',
      };
      if (process.env.TRADECRAFT_DEBUG) console.error((e as Error).stack);
    }
    const check = { name, ...outcome };
    checks.push(check);
    opts.onCheck?.(check, (performance.now() - start) / 1000);
  };
  const finish = (): DoctorReport => ({
    experiment: exp.name, checks, passed: checks.every((c) => c.status !== 'fail'), seconds: (performance.now() - t0) / 1000,
  });

  const seed = typeof hp.seed === 'number' ? hp.seed : 0;
  const batchSize = opts.batchSize ?? 32;
  const fresh = (): Module => { manualSeed(seed); return exp.model(hp); };
  const makeOptimizer = exp.optimizer;

  let data: DataSplits | undefined;
  let sanity: DataSanity | undefined;
  run('data values', () => {
    data = exp.data(hp, { dataDir: opts.dataDir });
    sanity = dataSanity({ train: data.train, val: data.val, test: data.test });
    const problems = sanity.problems.filter((p) => p.about === 'inputs');
    const summary = sanity.splits.map((s) => `${s.name} ${s.size}` + (s.size ? ` in [${stat(s.min)}, ${stat(s.max)}] mean ${stat(s.mean)} std ${stat(s.std)}` : '')).join('; ');
    if (problems.some((p) => p.severity === 'fail')) {
      return { status: 'fail', detail: problems.map((p) => p.message).join('; '), advice: 'fix the data loading: remove or impute NaN/Inf values, check the files and the parsing' };
    }
    if (problems.length) {
      return { status: 'warn', detail: problems.map((p) => p.message).join('; '), advice: 'standardize inputs with statistics of the training split (data/scalers) and apply the same transform to every split' };
    }
    return pass(`no NaN/Inf; ${summary}`);
  });
  if (!data || !sanity) return finish();
  const splits = data;
  const ds = sanity;

  run('labels', () => {
    const problems = ds.problems.filter((p) => p.about === 'targets');
    let detail: string;
    if (ds.classification) {
      const per = ds.splits.filter((s) => s.size > 0).map((s) => {
        const present = s.classCounts!.filter((c) => c > 0);
        return `${s.name} ${present.length ? `${Math.min(...present)}-${Math.max(...present)}` : 0}`;
      });
      detail = `${ds.numClasses} classes; examples per class: ${per.join(', ')}`;
    } else {
      detail = 'float targets, all finite';
    }
    if (problems.some((p) => p.severity === 'fail')) return { status: 'fail', detail: problems.map((p) => p.message).join('; '), advice: 'fix the labels: check the label file and the encoding (class indices 0..C-1)' };
    if (problems.length) return { status: 'warn', detail: `${detail}; ${problems.map((p) => p.message).join('; ')}`, advice: 'use a stratified split, or class weights / resampling for rare classes' };
    return pass(detail);
  });

  const n = Math.min(batchSize, splits.train.length);
  const order = new DataLoader(splits.train, { shuffle: true, seed }).order();
  const batch = splits.train.rows(order.subarray(0, n));
  const wide = splits.train.rows(order.subarray(0, Math.min(opts.deadUnitExamples ?? 256, splits.train.length)));
  const classes = (out: Tensor): number => (batch.y.dtype === 'int32' && out.ndim >= 2 ? out.shape[1] : 0);

  run('initial loss', () => {
    const model = fresh();
    model.train();
    const { loss, c } = noGrad(() => {
      const out = model.call(batch.x);
      return { loss: exp.loss(out, batch.y).item(), c: classes(out) };
    });
    if (!Number.isFinite(loss)) {
      return { status: 'fail', detail: `loss at initialization is ${loss}`, advice: 'see nan triage for the op that makes it; check the data and the loss function' };
    }
    if (c < 2) return pass(`loss ${lossText(loss)} at initialization, finite`);
    const expected = Math.log(c);
    const detail = `loss ${lossText(loss)} at init; log(${c}) = ${lossText(expected)} for ${c} classes`;
    if (loss > 1.5 * expected) {
      return { status: 'warn', detail, advice: 'initial predictions are overconfident: shrink the last layer\'s initial weights so the first outputs are near uniform' };
    }
    if (loss < 0.5 * expected) {
      return { status: 'warn', detail, advice: 'the untrained model already beats chance by far: check for labels leaking into the inputs' };
    }
    return pass(detail);
  });

  run('nan triage', () => {
    const model = fresh();
    model.train();
    const opt = makeOptimizer(model.parameters(), hp);
    setLearningRate(opt, 1e-12);
    const r = nanTriage(model, batch, exp.loss, opt);
    if (r.ok) return pass(`forward, backward and one step at lr=1e-12 stay finite under anomaly detection (loss ${fmt(r.loss)})`);
    const detail = r.op
      ? `${r.stage}: '${r.op}' produced NaN/Inf from finite inputs${r.where ? ` at ${r.where}` : ''}`
      : `${r.stage}: ${r.message}`;
    return { status: 'fail', detail, advice: nanAdvice(r.op, r.stage) };
  });

  let probed: Module | undefined;
  run('activations', () => {
    probed = fresh();
    probed.train();
    const st = activationStats(probed, batch, { loss: exp.loss });
    const grads = st.layers.filter((l) => l.gradNormPerExample !== null).map((l) => l.gradNormPerExample!);
    const detail = `${st.layers.length} layers by depth: output std ${byDepth(st.layers.map((l) => l.outputStd))}; gradient per example ${byDepth(grads)}`;
    if (st.flags.length) {
      return {
        status: 'warn', detail: `${st.flags[0]}${st.flags.length > 1 ? ` (+${st.flags.length - 1} more)` : ''}`,
        advice: st.exploding && !st.vanishing
          ? 'scale down the initialization, add normalization (BatchNorm/LayerNorm) or clip gradients'
          : 'use He/Kaiming init for ReLU nets, add normalization or residual connections; look for saturated tanh/sigmoid or dead ReLUs',
      };
    }
    return pass(detail);
  });

  run('gradient flow', () => {
    if (!probed) throw new Error('skipped: the activations check did not build the model');
    const rows = gradientFlow(probed);
    const noGradNames = rows.filter((r) => r.status === 'no-grad').map((r) => r.name);
    const zero = rows.filter((r) => r.status === 'zero').map((r) => r.name);
    const frozen = rows.filter((r) => r.status === 'frozen').length;
    const ok = rows.filter((r) => r.status === 'ok');
    const norms = ok.map((r) => r.gradNorm).filter(Number.isFinite);
    const range = norms.length ? ` (norms ${fmt(Math.min(...norms))}..${fmt(Math.max(...norms))})` : '';
    const frozenText = frozen ? `, ${frozen} frozen` : '';
    if (noGradNames.length || zero.length) {
      const parts = [
        noGradNames.length ? `no gradient (disconnected from the loss): ${noGradNames.join(', ')}` : '',
        zero.length ? `all-zero gradient (dead): ${zero.join(', ')}` : '',
      ].filter(Boolean);
      return {
        status: 'fail', detail: `${ok.length}/${rows.length} parameters get gradients${frozenText}; ${parts.join('; ')}`,
        advice: noGradNames.length
          ? 'a layer that forward never uses (or a branch cut by detach/noGrad): wire it in or remove it'
          : 'the units feeding these parameters are dead (see dead relu): check biases and initialization',
      };
    }
    return pass(`all ${ok.length} trainable parameters get non-zero gradients${range}${frozenText}`);
  });

  run('dead relu', () => {
    const layers = deadUnits(fresh(), wide.x);
    if (layers.length === 0) return pass('no ReLU modules called (a functional x.relu() is not visible to this check)');
    const text = layers.map((l) => `'${l.name}' ${l.dead}/${l.units}`).join(', ');
    const worst = layers.reduce((a, b) => (b.fraction > a.fraction ? b : a));
    const detail = `dead units over ${wide.x.shape[0]} examples: ${text}`;
    const feeding = worst.after !== undefined ? ` (fed by '${worst.after}')` : '';
    if (worst.fraction >= 0.5) {
      return { status: 'fail', detail, advice: `ReLU '${worst.name}'${feeding} is mostly dead at init: check that layer's bias and weight initialization and the input scale` };
    }
    if (worst.fraction > 0.25) {
      return { status: 'warn', detail, advice: `many dead units in '${worst.name}'${feeding}: check initialization and input scale, or try LeakyReLU` };
    }
    return pass(detail);
  });

  run('overfit batch', () => {
    const model = fresh();
    const opt = makeOptimizer(model.parameters(), hp);
    const maxSteps = opts.overfitSteps ?? 200;
    const r = overfitBatch(model, opt, exp.loss, batch, { maxSteps });
    const detail = `loss ${fmt(r.initialLoss)} -> ${fmt(r.finalLoss)} in ${r.steps} steps on ${n} examples` + (r.passed ? '' : ` (best ${fmt(r.bestLoss)})`);
    if (r.passed) return pass(detail);
    if (Number.isFinite(r.bestLoss) && r.bestLoss < r.initialLoss / 2) {
      return { status: 'warn', detail, advice: 'it learns, but slowly: try a larger learning rate (see lr probe) or more capacity' };
    }
    return {
      status: 'fail', detail,
      advice: 'cannot memorize one batch: check labels match inputs, the loss gets raw logits, nothing is detached, and the learning rate',
    };
  });

  run('lr probe', () => {
    const model = fresh();
    const lrs = opts.probeLrs ?? logSpacedLrs(1e-5, 1);
    const steps = opts.probeSteps ?? 10;
    const own = makeOptimizer(model.parameters(), hp).lr;
    const r = lrProbe(model, (p) => makeOptimizer(p, hp), exp.loss, batch, { lrs, steps });
    const points = r.points.map((p) => `${lrText(p.lr)}: ${p.diverged ? 'diverged' : fmt(p.finalLoss)}`).join(', ');
    const start = r.points.length ? fmt(r.points[0].initialLoss) : '?';
    if (r.bestLr === null) {
      return { status: 'fail', detail: `loss from ${start} after ${steps} steps: ${points}; no learning rate lowers it`, advice: 'nothing learns: see overfit batch and gradient flow' };
    }
    const ratio = own / r.bestLr;
    const within = ratio >= 0.1 * (1 - 1e-9) && ratio <= 10 * (1 + 1e-9);
    const detail = `loss from ${start} after ${steps} steps: ${points}; fastest ${lrText(r.bestLr)}, experiment lr ${lrText(own)}`;
    if (within) return pass(`${detail} (within 10x)`);
    return {
      status: 'warn', detail: `${detail} (${ratio < 1 ? `${fmt(1 / ratio)}x below` : `${fmt(ratio)}x above`})`,
      advice: `try lr near ${lrText(r.bestLr)} (a slightly lower value is usually safer over a long run)`,
    };
  });

  run('broadcasting', () => {
    const model = fresh();
    model.train();
    const opt = makeOptimizer(model.parameters(), hp);
    const { warnings } = collectBroadcastWarnings(() => {
      opt.zeroGrad();
      const l = exp.loss(model.call(batch.x), batch.y);
      l.backward();
      opt.step();
    });
    if (warnings.length === 0) return pass('no op broadcast to a result larger than both inputs in one training step');
    const short = warnings.map((w) => w.split(', larger than both')[0].replace(/^broadcast: /, '')).join('; ');
    return { status: 'fail', detail: short, advice: 'make the shapes equal (squeeze the (N, 1) output or unsqueeze the (N) target); expand() explicitly if you mean an outer product' };
  });

  let growth: ReturnType<typeof memoryGrowth> | undefined;
  const memorySteps = Math.max(opts.memorySteps ?? 10, 5);
  run('graph leak', () => {
    const model = fresh();
    model.train();
    const opt = makeOptimizer(model.parameters(), hp);
    const loader = new DataLoader(splits.train, { batchSize: n, shuffle: true, seed });
    const batches = loader.endless(0);
    const next = (): { x: Tensor; y: Tensor } => batches.next().value;
    growth = memoryGrowth(() => {
      const b = next();
      opt.zeroGrad();
      const l = exp.loss(model.call(b.x), b.y);
      l.backward();
      opt.step();
    }, memorySteps);
    for (const m of growth.leaks) leaks.add(m);
    if (leaks.size) {
      const all = [...leaks];
      const first = all[0].split('. Keeping')[0].replace(/^graph leak: /, '');
      return { status: 'fail', detail: `${first}${all.length > 1 ? ` (+${all.length - 1} more)` : ''}`, advice: 'accumulate numbers with loss.item(), or keep tensors with detach(), instead of tensors that carry their graph' };
    }
    return pass(`no tensor carried its graph across optimizer steps (${memorySteps} watched, plus the steps of the checks above)`);
  });

  run('memory growth', () => {
    if (!growth) throw new Error('skipped: the graph leak check did not run the training steps');
    const g = growth;
    const last = g.samples[g.samples.length - 1];
    const detail = `${fmt(g.slopeMBPerStep)} MB/step over ${g.samples.length} samples (heap+buffers ${fmt(last.totalMB)} MB, r2 ${fmt(g.r2)}${g.gc === 'full' ? '' : ', no gc'})`;
    if (g.verdict === 'growing') {
      return { status: leaks.size ? 'fail' : 'warn', detail: `growing: ${detail}`, advice: 'something keeps tensors alive across steps: a graph (see graph leak), a growing list of tensors, or a cache' };
    }
    return pass(`stable: ${detail}`);
  });

  run('node heap', () => {
    // process is absent in a browser, where the page's engine sizes its own heap.
    if (typeof process === 'undefined' || !Array.isArray(process.execArgv)) return pass('not running in Node');
    const option = trainingHeapOption();
    if (option !== null) return pass(`node started with ${option}`);
    return {
      status: 'warn', detail: "node runs with V8's default heap: a training loop with a small live heap can run major GCs back to back under it (the benchmark's plain MNIST MLP loop trained ~23% slower)",
      advice: `start node with ${TRAINING_HEAP_FLAG} (or NODE_OPTIONS=--max-semi-space-size=1); README: Performance, V8's heap`,
    };
  });

  return finish();
}
