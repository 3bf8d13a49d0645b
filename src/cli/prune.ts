import { join } from 'node:path';
import { parseArgs, formatFlagHelp, UsageError } from './args.js';
import { studyCommandFlags } from './study-command-flags.js';
import { resolveHparams } from './train.js';
import { createProgress } from './progress.js';
import { loadExperiment } from './load-experiment.js';
import { runLotteryStudy } from '../prune/lottery-study.js';

const flags = {
  rounds: { type: 'int', min: 0, default: 15, help: 'pruning rounds after the dense run (15 at rate 0.2 reach ~3.6% of weights)' },
  rate: { type: 'number', default: 0.2, help: 'fraction of the remaining weights pruned per round in each layer' },
  'output-rate': { type: 'number', help: 'rate for the last layer (default: half of --rate, as in Frankle & Carbin)' },
  rewind: { type: 'string', default: 'init', help: "'init' or an iteration k of the dense run to rewind survivors to" },
  control: { type: 'list', default: ['reinit'], help: 'controls: reinit (same masks, fresh init), random (random masks); comma-separated or repeated' },
  'control-every': { type: 'int', min: 1, default: 3, help: 'train the controls every N rounds (and at the last round)' },
  seeds: { type: 'int', min: 1, default: 3, help: 'seeds (intervals over seeds)' },
  iterations: { type: 'int', min: 1, help: "training iterations per network (default: the experiment's 'iterations', else one epoch)" },
  paper: { type: 'boolean', help: "the paper's budget: 50,000 iterations per network (hours on a CPU)" },
  ...studyCommandFlags,
} as const;

/** `tradecraft prune <experiment>`: iterative magnitude pruning with rewinding and its controls. */
export async function pruneCommand(argv: string[]): Promise<number> {
  const { flags: f, positionals } = parseArgs(argv, flags, [{ name: 'experiment', required: false }]);
  if (f.help) {
    console.log(`usage: tradecraft prune <experiment|path.ts> [--rounds N] [--rate 0.2] [--output-rate 0.1] [--rewind init|ITER] [--control reinit,random] [--seeds S] [--iterations N | --paper] [--json]\n\n${formatFlagHelp(flags)}`);
    return 0;
  }
  if (!positionals.experiment) throw new UsageError('prune needs an experiment: a built-in name (mnist-lenet300) or a path to a module');
  const exp = await loadExperiment(positionals.experiment);
  const hp = resolveHparams(exp, { set: f.set });
  if (!(f.rate > 0 && f.rate < 1)) throw new UsageError(`--rate must be in (0, 1), got ${f.rate}`);
  const outputRate = f['output-rate'] ?? f.rate / 2;
  if (!(outputRate > 0 && outputRate < 1)) throw new UsageError(`--output-rate must be in (0, 1), got ${outputRate}`);
  let rewind: 'init' | number = 'init';
  if (f.rewind !== 'init') {
    rewind = Number(f.rewind);
    if (!Number.isInteger(rewind) || rewind < 0) throw new UsageError(`--rewind must be 'init' or a non-negative iteration, got '${f.rewind}'`);
  }
  const controls = [...new Set(f.control.flatMap((c) => c.split(',')).filter((c) => c && c !== 'none'))];
  for (const c of controls) if (c !== 'reinit' && c !== 'random') throw new UsageError(`--control: unknown control '${c}'; use reinit, random or none`);
  const iterations = f.paper ? 50000 : f.iterations ?? (Number(hp.iterations) || undefined);
  if (!iterations) throw new UsageError(`'${exp.name}' has no 'iterations' hyperparameter; pass --iterations N`);
  if (typeof rewind === 'number' && rewind > iterations) throw new UsageError(`--rewind ${rewind} is past the ${iterations} training iterations`);
  const dir = join(f.out, `lottery-${exp.name}-${new Date().toISOString().replace(/[:.]/g, '-')}`);
  const seeds = Array.from({ length: f.seeds }, (_, i) => i);
  if (!f.json) console.log(`IMP on ${exp.name}: ${f.rounds} rounds at rate ${f.rate} (output ${outputRate}), rewind to ${rewind}, controls ${controls.join(', ') || 'none'}, ${iterations} iterations per network, seeds ${seeds.join(', ')}\nstudy: ${dir}`);
  let progress: ReturnType<typeof createProgress> | null = null;
  const study = runLotteryStudy(exp, hp, {
    dir, rounds: f.rounds, rate: f.rate, outputRate, rewind, controls: controls as Array<'reinit' | 'random'>, controlEvery: f['control-every'],
    seeds, iterations, dataDir: f['data-dir'],
    onResult: (r, done, total) => {
      progress ??= createProgress({ total, label: 'networks' });
      progress.update(done, { round: r.round, [r.condition]: `${(100 * r.testAccuracy).toFixed(2)}%`, remaining: `${(100 * r.remaining).toFixed(1)}%` });
    },
  });
  (progress as ReturnType<typeof createProgress> | null)?.finish();
  if (!f.json) {
    console.log(study.table.join('\n'));
    console.log(`\nclaim: ${study.claim.claim}\nheld: ${study.claim.held ? 'yes' : 'no'} -- ${study.claim.detail}`);
    console.log(`wrote ${join(dir, 'table.txt')}, ${join(dir, 'accuracy.svg')}, ${join(dir, 'results.jsonl')} (${study.seconds.toFixed(0)} s)`);
  } else {
    console.log(JSON.stringify({ dir, claim: study.claim, rows: study.rows, seconds: study.seconds }));
  }
  return 0;
}
