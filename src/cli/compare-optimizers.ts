import { join } from 'node:path';
import { mkdirSync } from 'node:fs';
import { parseArgs, formatFlagHelp, UsageError } from './args.js';
import { studyCommandFlags } from './study-command-flags.js';
import { resolveHparams } from './train.js';
import { loadExperiment } from './load-experiment.js';
import { compareOptimizers, OPTIMIZER_NAMES, type OptimizerName, type CompareSetup } from '../optim-lab/compare-optimizers.js';
import { rangeTestLearningRates, type OptimizerLr } from '../optim-lab/range-test-lr.js';
import { lineChartSvg } from '../experiments/repro/svg-chart.js';
import { writeFileAtomic } from '../track/files.js';
import { manualSeed } from '../tensor/random.js';

const flags = {
  optimizers: { type: 'list', default: ['sgd,momentum,nesterov,adam,adamw'], help: `comma-separated, from ${OPTIMIZER_NAMES.join(', ')}` },
  lr: { type: 'string', choices: ['find', 'grid'], help: 'find: each optimizer at the lr its own LR range test suggests (default); grid: each at the best lr of a grid (--lrs, or a grid around its usual lr)' },
  'lr-find-steps': { type: 'int', min: 2, default: 100, help: 'with --lr find: batches of each range test (lr from 1e-7 to 10)' },
  lrs: { type: 'string', help: 'one lr grid for every optimizer, e.g. 0.001,0.01,0.1 (implies --lr grid; default grid: around each one\'s usual lr)' },
  seeds: { type: 'int', min: 1, default: 2, help: 'seeds per optimizer and lr (intervals over seeds)' },
  iterations: { type: 'int', min: 1, default: 300, help: 'training iterations per run' },
  ...studyCommandFlags,
} as const;

/** `tradecraft compare-optimizers <experiment>`: optimizers ranked by validation loss at their own range-test lr (default) or their best grid lr. */
export async function compareOptimizersCommand(argv: string[]): Promise<number> {
  const { flags: f, positionals } = parseArgs(argv, flags, [{ name: 'experiment', required: false }]);
  if (f.help) {
    console.log(`usage: tradecraft compare-optimizers <experiment|path.ts> [--optimizers sgd,momentum,adam,...] [--lr find|grid] [--lrs 0.001,0.01] [--seeds S] [--iterations N] [--json]\n\n${formatFlagHelp(flags)}`);
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
  const lrMode = f.lr ?? (grid ? 'grid' : 'find');
  if (lrMode === 'find' && grid) throw new UsageError('--lr find picks each optimizer\'s lr by a range test, so --lrs (a grid) does not apply; use --lr grid --lrs ...');
  const exp = await loadExperiment(positionals.experiment);
  const hp = resolveHparams(exp, { set: f.set });
  manualSeed(0);
  const data = exp.data(hp, { dataDir: f['data-dir'] });
  const dir = join(f.out, `optimizers-${exp.name}-${new Date().toISOString().replace(/[:.]/g, '-')}`);
  mkdirSync(dir, { recursive: true });
  const seeds = Array.from({ length: f.seeds }, (_, i) => i);
  const setup: CompareSetup = { makeModel: () => exp.model(hp), loss: exp.loss, train: data.train, val: data.val, iterations: f.iterations, batchSize: Number(hp.batchSize) };
  let found: OptimizerLr[] | null = null;
  if (lrMode === 'find') {
    found = rangeTestLearningRates(setup, names as OptimizerName[], { steps: f['lr-find-steps'] });
    if (!f.json) for (const x of found) console.error(`${x.optimizer}: range test -> ${x.source === 'range test' ? `lr ${x.grid[0].toPrecision(3)} (${x.rangeTest.recommended})` : `no rate found (${x.rangeTest.reason}); using its default grid`}`);
  }
  const grids = found ? Object.fromEntries(found.map((x) => [x.optimizer, x.grid])) : grid ? Object.fromEntries(names.map((n) => [n, grid!])) : undefined;
  const lrFrom = (n: OptimizerName) => found?.find((x) => x.optimizer === n)?.source === 'range test' ? 'range test' : 'grid';
  const { runs, ranking } = compareOptimizers(
    setup,
    { optimizers: names as OptimizerName[], grids, seeds, onRun: f.json ? undefined : (r) => console.error(`${r.optimizer} lr ${r.lr} seed ${r.seed}: val loss ${r.valLoss.toFixed(4)}`) },
  );
  const table = ['rank  optimizer  lr          lr from     val loss [95% CI]            val acc %   note',
    ...ranking.map((r, i) => `${String(i + 1).padStart(4)}  ${r.optimizer.padEnd(9)}  ${String(Number(r.bestLr.toPrecision(3))).padEnd(10)}  ${lrFrom(r.optimizer).padEnd(10)}  ${`${r.valLoss.mean.toFixed(4)} [${r.valLoss.lo.toFixed(4)}, ${r.valLoss.hi.toFixed(4)}]`.padEnd(27)}  ${r.valAccuracy ? (100 * r.valAccuracy.mean).toFixed(2).padStart(8) : '       -'}   ${r.onGridEdge ? 'best lr on the grid edge: widen it' : ''}`)];
  const curves = ranking.map((r) => {
    const rs = runs.filter((x) => x.optimizer === r.optimizer && x.lr === r.bestLr);
    return { name: `${r.optimizer} (lr ${r.bestLr})`, points: rs[0].curve.map((c, i) => ({ x: c.step, y: rs.reduce((s, x) => s + x.curve[i].valLoss, 0) / rs.length })) };
  });
  writeFileAtomic(join(dir, 'val-loss.svg'), lineChartSvg({ title: `${exp.name}: validation loss at each optimizer's ${lrMode === 'find' ? 'range-test' : 'best grid'} lr (mean of ${seeds.length} seeds)`, xLabel: 'iteration', yLabel: 'validation loss', logY: true, series: curves }));
  writeFileAtomic(join(dir, 'table.txt'), table.join('\n') + '\n');
  const rangeTests = found?.map((x) => ({ optimizer: x.optimizer, source: x.source, lr: x.rangeTest.suggestedLr, rule: x.rangeTest.recommended, minimum: x.rangeTest.minimum, stopReason: x.rangeTest.stopReason }));
  writeFileAtomic(join(dir, 'summary.json'), JSON.stringify({ experiment: exp.name, iterations: f.iterations, seeds, lrMode, rangeTests, ranking, runs: runs.map(({ curve: _c, ...r }) => r) }, null, 2) + '\n');
  if (f.json) console.log(JSON.stringify({ dir, lrMode, ranking: ranking.map((r) => ({ ...r, lrFrom: lrFrom(r.optimizer) })) }));
  else console.log(`${table.join('\n')}\nwrote ${join(dir, 'table.txt')}, ${join(dir, 'val-loss.svg')}`);
  return 0;
}
