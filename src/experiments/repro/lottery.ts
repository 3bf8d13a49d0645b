import { join } from 'node:path';
import { mnistLenet300 } from '../lenet300.js';
import type { HParams, Experiment } from '../define.js';
import { runLotteryStudy } from '../../prune/lottery-study.js';
import { lotteryPlot } from '../../prune/lottery-report.js';
import type { ReproContext, ReproResult } from './types.js';

/** The lottery-ticket experiment (Frankle & Carbin 2019, Figure 3) at `tradecraft prune`'s default budget. */
export interface LotteryReproOptions { rounds?: number; seeds?: number; iterations?: number; dir: string; hparams?: Partial<HParams> }

export function runLotteryRepro(o: LotteryReproOptions, ctx: ReproContext = {}): ReproResult {
  const exp = mnistLenet300 as unknown as Experiment<HParams>;
  const hp = { ...exp.hparams, ...o.hparams } as HParams;
  const study = runLotteryStudy(exp, hp, {
    dir: join(o.dir, 'lottery-study'), rounds: o.rounds ?? 15, rate: 0.2, outputRate: 0.1, rewind: 'init', controls: ['reinit'], controlEvery: 3,
    seeds: Array.from({ length: o.seeds ?? 3 }, (_, i) => i), iterations: o.iterations ?? Number(hp.iterations), dataDir: ctx.dataDir,
    onResult: (r, done, total) => ctx.log?.(`${done}/${total}: round ${r.round} ${r.condition} ${(100 * r.testAccuracy).toFixed(2)}%`),
  });
  return {
    name: 'lottery', claim: study.claim.claim, held: study.claim.held, evidence: study.claim.detail.split('; '), table: study.table,
    plots: { 'accuracy.svg': lotteryPlot(study.rows, 'LeNet-300-100 lottery tickets: test accuracy vs weights remaining') },
    data: { claim: study.claim, rows: study.rows },
  };
}
