import { readFileSync, existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { parseArgs, formatFlagHelp, UsageError } from './args.js';
import { loadExperiment } from './load-experiment.js';
import { resolveHparams } from './train.js';
import { createStudy, type Study } from '../tune/study/study.js';
import { defaultStorage } from '../tune/study/open-store.js';
import { experimentObjective, experimentDirection } from '../tune/study/train-trial.js';
import { finalRetrain } from '../tune/study/final.js';
import { studyProgress, progressLine } from '../tune/study/summary.js';
import { chooseSampler, SAMPLER_NAMES, type SamplerName } from '../tune/study/sampler-choice.js';
import { createPruner, PRUNERS, type PrunerName } from '../tune/pruners/index.js';
import type { SearchSpace } from '../tune/types.js';
import { parseSpaceJson, validateSpace, SearchSpaceError } from '../tune/space.js';
import type { Experiment, HParams } from '../experiments/define.js';
import { TRAINING_HEAP_FLAG, trainingHeapOption } from '../train/node-heap.js';

const flags = {
  space: { type: 'string', help: 'search space JSON file (default: the experiment\'s `search`)' },
  sampler: { type: 'string', default: 'auto', choices: SAMPLER_NAMES, help: 'how parameters are chosen' },
  scramble: { type: 'boolean', help: 'Owen-scramble the Sobol sequence (auto always scrambles its Sobol start)' },
  'grid-points': { type: 'int', min: 1, help: 'grid sampler: values per float parameter without a step' },
  pruner: { type: 'string', default: 'median', choices: PRUNERS, help: 'how hopeless trials are stopped early' },
  trials: { type: 'int', min: 1, default: 20, help: 'the study\'s total number of trials (across all workers and resumes)' },
  timeout: { type: 'number', min: 0, help: 'stop starting trials after this many seconds' },
  workers: { type: 'int', min: 1, default: 1, help: 'worker processes to start here, each with cores/K threads' },
  storage: { type: 'string', help: 'study store: a SQLite file path or postgres://user@host:port/db (default studies/<study>/study.db)' },
  study: { type: 'string', help: 'study name (default: the experiment name); the same name and storage joins a running study' },
  'max-retries': { type: 'int', min: 0, default: 1, help: 'how often a trial whose worker died is re-queued' },
  final: { type: 'boolean', help: 'then retrain the best configuration on train+validation and evaluate the test set once' },
  epochs: { type: 'int', min: 1, help: 'epochs per trial (overrides the experiment)' },
  set: { type: 'list', help: 'fix a hyperparameter for every trial: --set key=value (repeatable)' },
  seed: { type: 'int', min: 0, help: 'random seed of every trial\'s training' },
  'data-dir': { type: 'string', help: 'folder with the dataset files' },
  out: { type: 'string', default: 'runs', help: 'folder for the trials\' run directories' },
  worker: { type: 'boolean', help: '(internal) run as one of the workers started by --workers' },
  json: { type: 'boolean', help: 'print one JSON object as the last line of stdout' },
  help: { type: 'boolean', short: 'h', help: 'show this help' },
} as const;

/** The space from --space FILE or the experiment's `search`, validated against its hyperparameters. */
function loadSpace(path: string | undefined, exp: Experiment<HParams>, hp: HParams): SearchSpace {
  try {
    if (path) {
      if (!existsSync(path)) throw new UsageError(`--space ${path}: no such file`);
      return parseSpaceJson(readFileSync(path, 'utf8'), hp, `--space ${path}`);
    }
    if (!exp.search) throw new UsageError(`'${exp.name}' declares no search space; add \`search: { ... }\` to its definition or pass --space space.json`);
    validateSpace(exp.search, hp);
    return exp.search;
  } catch (e) {
    if (e instanceof SearchSpaceError) throw new UsageError(e.message);
    throw e;
  }
}

const binPath = fileURLToPath(new URL('../../../bin/tradecraft.js', import.meta.url));

/** Starts K worker processes running this same command with --worker, dividing the cores between them. */
function spawnWorkers(argv: string[], k: number): ChildProcess[] {
  const threads = Math.max(1, Math.floor(availableParallelism() / k));
  const rest: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--workers') i++;
    else if (!argv[i].startsWith('--workers=')) rest.push(argv[i]);
  }
  // Workers train: they get the heap setting that keeps V8 from back-to-back major GCs
  // (train/node-heap.ts) unless this process already passes one on.
  const heap = trainingHeapOption() === null ? [TRAINING_HEAP_FLAG] : [];
  return Array.from({ length: k }, () => spawn(process.execPath, [...heap, binPath, 'tune', ...rest, '--worker', '--workers', '1'], {
    stdio: ['ignore', 'ignore', 'inherit'],
    env: { ...process.env, TRADECRAFT_THREADS: String(threads) },
  }));
}

function waitAll(procs: ChildProcess[]): Promise<Array<number | null>> {
  return Promise.all(procs.map((p) => new Promise<number | null>((res) => p.once('exit', (code) => res(code)))));
}

/** `tradecraft tune <experiment>`: a hyperparameter search whose trials are real runs, chosen on validation data. */
export async function tuneCommand(argv: string[]): Promise<number> {
  const { flags: f, positionals } = parseArgs(argv, flags, [{ name: 'experiment', required: false }]);
  if (f.help) {
    console.log(`usage: tradecraft tune <experiment> [--space FILE] [--sampler auto] [--pruner median] [--trials N] [--timeout S] [--workers K] [--storage URL] [--study NAME] [--final] [--json]\n\n${formatFlagHelp(flags)}`);
    return 0;
  }
  if (!positionals.experiment) throw new UsageError('tune needs an experiment: a built-in name (mnist-mlp) or a path to a module');
  const exp = await loadExperiment(positionals.experiment);
  const base = resolveHparams(exp, { epochs: f.epochs, seed: f.seed, set: f.set });
  const space = loadSpace(f.space, exp, base);
  const name = f.study ?? exp.name;
  const storage = f.storage ?? defaultStorage(name);
  const { metric, direction } = experimentDirection(exp);
  const sampler = chooseSampler(f.sampler as SamplerName, { scramble: f.scramble, gridPoints: f['grid-points'] });
  if (f.sampler === 'grid') {
    // Size the grid now, so a float without a step is a usage error before any study exists.
    try {
      (sampler as unknown as { size(space: SearchSpace): number }).size(space);
    } catch (e) {
      throw new UsageError((e as Error).message.replace('pass the grid option floatPoints', 'pass --grid-points N'));
    }
  }
  const pruner = createPruner(f.pruner as PrunerName, { maxEpochs: Number(base.epochs), studyName: name });
  const quiet = f.worker || f.json;
  const say = (line: string) => { if (!f.worker) console.log(line); };

  const study = await createStudy({
    name, storage, direction, space, sampler, pruner, heartbeat: { maxRetries: f['max-retries'] },
    settings: { experiment: exp.name, metric, base, sampler: f.sampler, pruner: f.pruner },
  });
  try {
    if (!f.worker) say(`tradecraft: tuning ${exp.name} (${direction} ${metric} on validation data), study '${name}' in ${study.store.location}; ${f.sampler} sampler, ${f.pruner} pruner, ${f.trials} trials, ${f.workers} worker${f.workers > 1 ? 's' : ''}`);
    const show = liveDisplay(study, metric, f.trials, quiet);
    if (f.workers > 1 && !f.worker) {
      const procs = spawnWorkers(argv, f.workers);
      const stopOnSignal = () => { for (const p of procs) p.kill('SIGTERM'); };
      process.once('SIGINT', stopOnSignal);
      const timer = setInterval(() => { void show.update(); }, 1000);
      const codes = await waitAll(procs);
      clearInterval(timer);
      process.removeListener('SIGINT', stopOnSignal);
      const bad = codes.filter((c) => c !== 0).length;
      if (bad) console.error(`tradecraft tune: ${bad} of ${f.workers} workers exited with an error (see above); the study keeps what they finished`);
    } else {
      const objective = experimentObjective({ experiment: exp, baseHparams: base, runsDir: f.out, dataDir: f['data-dir'], study: name, space });
      await study.optimize(objective, { trials: f.trials, timeout: f.timeout, onTrialEnd: () => { void show.update(); } });
    }
    if (f.worker) return 0;
    await show.update(true);
    const trials = await study.trials();
    const p = studyProgress(trials, direction, metric);
    if (!p.best) throw new Error(`no trial of study '${name}' completed; \`tradecraft study show ${name}${f.storage ? ` --storage ${f.storage}` : ''}\` lists their errors`);
    const bestHp: HParams = { ...base, ...p.best.params };
    say(`best: trial ${p.best.number}, ${metric} ${p.best.value!.toFixed(4)}${p.bestInterval ? ` (95% CI ${p.bestInterval[0].toFixed(4)}-${p.bestInterval[1].toFixed(4)})` : ''} with ${JSON.stringify(p.best.params)}; run ${String(p.best.attrs.runDir ?? '?')}`);
    let final: ReturnType<typeof finalRetrain> | null = null;
    if (f.final) {
      say(`final: retraining trial ${p.best.number}'s configuration on train+validation, then evaluating the test set once`);
      final = finalRetrain({ experiment: exp, hparams: bestHp, runsDir: f.out, dataDir: f['data-dir'], study: name, trial: p.best.number });
      say(`${final.tested.line}; run ${final.runDir}`);
      if (final.tested.ledger.warning) console.warn(final.tested.ledger.warning);
    }
    if (f.json) {
      console.log(JSON.stringify({
        study: name, storage: study.store.location, direction, metric, counts: p.counts,
        best: { number: p.best.number, value: p.best.value, interval: p.bestInterval, params: p.best.params, runDir: p.best.attrs.runDir },
        ...(final ? { final: { runDir: final.runDir, testAccuracy: final.tested.evaluation.accuracy, testAccuracyCI: final.tested.ci, testLoss: final.tested.evaluation.loss, n: final.tested.evaluation.total } } : {}),
      }));
    }
    return 0;
  } finally {
    await study.close();
  }
}

/** Trials done/running/pruned/failed and the best so far: redrawn in place on a terminal, one line per change elsewhere. */
function liveDisplay(study: Study, metric: string, budget: number, quiet: boolean): { update(final?: boolean): Promise<void> } {
  let last = '';
  const tty = process.stderr.isTTY === true;
  return {
    async update(final = false) {
      if (quiet) return;
      const line = progressLine(studyProgress(await study.trials(), study.direction, metric), metric, budget);
      if (line === last && !final) return;
      if (tty) process.stderr.write(`\r\x1b[2K${line}${final ? '\n' : ''}`);
      else if (line !== last) console.log(line);
      last = line;
    },
  };
}
