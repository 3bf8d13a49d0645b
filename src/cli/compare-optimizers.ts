import { join } from 'node:path';
import { mkdirSync } from 'node:fs';
import { parseArgs, parseSetOverrides, formatFlagHelp, UsageError } from './args.js';
import { loadExperiment } from './load-experiment.js';
import { compareOptimizers, OPTIMIZER_NAMES, type OptimizerName } from '../optim-lab/compare-optimizers.js';
import { lineChartSvg } from '../experiments/repro/svg-chart.js';
import { writeFileAtomic } from '../track/files.js';
import { manualSeed } from '../tensor/random.js';
import type { HParams } from '../experiments/define.js';

const flags = {
  optimizers: { type: 'list', default: ['sgd,momentum,nesterov,adam,adamw'], help: `comma-separated, from ${OPTIMIZER_NAMES.join(', ')}` },
  lrs: { type: 'string', help: 'one lr grid for every optimizer, e.g. 0.001,0.01,0.1 (default: a grid around each one\'s usual lr)' },
  seeds: { type: 'int', min: 1, default: 2, help: 'seeds per optimizer and lr (intervals over seeds)' },
  iterations: { type: 'int', min: 1, default: 300, help: 'training iterations per run' },
  set: { type: 'list', help: 'override a hyperparameter: --set key=value (repeatable)' },
  'data-dir': { type: 'string', help: 'folder with the dataset files' },
  out: { type: 'string', default: 'studies', help: 'folder that holds study folders' },
  json: { type: 'boolean', help: 'print one JSON object as the last line of stdout' },
  help: { type: 'boolean', short: 'h', help: 'show this help' },
} as const;

/** `tradecraft compare-optimizers <experiment>`: optimizers ranked by validation loss at their best grid lr. */
export async function compareOptimizersCommand(argv: string[]): Promise<number> {
  const { flags: f, positionals } = parseArgs(argv, flags, [{ name: 'experiment', required: false }]);
  if (f.help) {
    console.log(`usage: tradecraft compare-optimizers <experiment|path.ts> [--optimizers sgd,momentum,adam,...] [--lrs 0.001,0.01] [--seeds S] [--iterations N] [--json]\n\n${formatFlagHelp(flags)}`);
    return 0;
  }
  if (!positionals.experiment) throw new UsageError('compare-optimizers needs an experiment: a built-in name (mnist-mlp) or a path to a module');
  const names = [...new Set(f.optimizers.flatMap((s) => s.split(',')).filter(Boolean))];
  for (const n of names) if (!(OPTIMIZER_NAMES as readonly string[]).includes(n)) throw new UsageError(`--optimizers: unknown optimizer '${n}'; choose from ${OPTIMIZER_NAMES.join(', ')}`);
  let grid: number[] | undefined;
  if (f.lrs !== undefined) {
    grid = f.lrs.split(',').map(Number);
    if (grid.length === 0 || grid.some((v) => !(v > 0))) throw new UsageError(`--lrs must be positive numbers separated by commas, got '${f.lrs}'`);
  }
  const exp = await loadExperiment(positionals.experiment);
  const hp: HParams = { ...exp.hparams };
  for (const [k, v] of Object.entries(parseSetOverrides(f.set))) {
    if (!(k in hp)) throw new UsageError(`--set ${k}: '${exp.name}' has no hyperparameter '${k}'; it has ${Object.keys(hp).join(', ')}`);
    hp[k] = v;
  }
  manualSeed(0);
  const data = exp.data(hp, { dataDir: f['data-dir'] });
  const dir = join(f.out, `optimizers-${exp.name}-${new Date().toISOString().replace(/[:.]/g, '-')}`);
  mkdirSync(dir, { recursive: true });
  const seeds = Array.from({ length: f.seeds }, (_, i) => i);
  const grids = grid ? Object.fromEntries(names.map((n) => [n, grid!])) : undefined;
  const { runs, ranking } = compareOptimizers(
    { makeModel: () => exp.model(hp), loss: exp.loss, train: data.train, val: data.val, iterations: f.iterations, batchSize: Number(hp.batchSize ?? 64) },
    { optimizers: names as OptimizerName[], grids, seeds, onRun: f.json ? undefined : (r) => console.error(`${r.optimizer} lr ${r.lr} seed ${r.seed}: val loss ${r.valLoss.toFixed(4)}`) },
  );
  const table = ['rank  optimizer  best lr   val loss [95% CI]            val acc %   note',
    ...ranking.map((r, i) => `${String(i + 1).padStart(4)}  ${r.optimizer.padEnd(9)}  ${String(r.bestLr).padEnd(8)}  ${`${r.valLoss.mean.toFixed(4)} [${r.valLoss.lo.toFixed(4)}, ${r.valLoss.hi.toFixed(4)}]`.padEnd(27)}  ${r.valAccuracy ? (100 * r.valAccuracy.mean).toFixed(2).padStart(8) : '       -'}   ${r.onGridEdge ? 'best lr on the grid edge: widen it' : ''}`)];
  const curves = ranking.map((r) => {
    const rs = runs.filter((x) => x.optimizer === r.optimizer && x.lr === r.bestLr);
    return { name: `${r.optimizer} (lr ${r.bestLr})`, points: rs[0].curve.map((c, i) => ({ x: c.step, y: rs.reduce((s, x) => s + x.curve[i].valLoss, 0) / rs.length })) };
  });
  writeFileAtomic(join(dir, 'val-loss.svg'), lineChartSvg({ title: `${exp.name}: validation loss at each optimizer's best lr (mean of ${seeds.length} seeds)`, xLabel: 'iteration', yLabel: 'validation loss', logY: true, series: curves }));
  writeFileAtomic(join(dir, 'table.txt'), table.join('\n') + '\n');
  writeFileAtomic(join(dir, 'summary.json'), JSON.stringify({ experiment: exp.name, iterations: f.iterations, seeds, ranking, runs: runs.map(({ curve: _c, ...r }) => r) }, null, 2) + '\n');
  if (f.json) console.log(JSON.stringify({ dir, ranking }));
  else console.log(`${table.join('\n')}\nwrote ${join(dir, 'table.txt')}, ${join(dir, 'val-loss.svg')}`);
  return 0;
}
