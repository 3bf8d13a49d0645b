import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic, JsonlAppender } from '../track/files.js';
import type { Experiment, HParams } from '../experiments/define.js';
import { manualSeed } from '../tensor/random.js';
import { iterativeMagnitudePruning, type ImpOptions, type ImpResult } from './imp.js';
import { summarizeLottery, lotteryClaim, lotteryTable, lotteryPlot, type LotteryClaim, type LotteryRow } from './lottery-report.js';

export interface LotteryStudyOptions extends Omit<ImpOptions, 'onResult'> {
  iterations: number;
  /** The study folder (created): results.jsonl (append-only), summary.json, table.txt, accuracy.svg. */
  dir: string;
  dataDir?: string;
  onResult?: (r: ImpResult, done: number, total: number) => void;
}

export interface LotteryStudy { dir: string; results: ImpResult[]; rows: LotteryRow[]; claim: LotteryClaim; table: string[]; seconds: number }

/** The number of networks a study trains (for progress bars). */
export function lotteryTrainings(o: Pick<ImpOptions, 'rounds' | 'controls' | 'controlEvery' | 'seeds'>): number {
  const every = o.controlEvery ?? 1;
  let controlRounds = 0;
  for (let r = 1; r <= o.rounds; r++) if (r % every === 0 || r === o.rounds) controlRounds++;
  return o.seeds.length * (1 + o.rounds + controlRounds * o.controls.length);
}

/** Runs IMP on an experiment and writes the study folder; the claim is judged on test accuracy. */
export function runLotteryStudy(exp: Experiment<HParams>, hp: HParams, o: LotteryStudyOptions): LotteryStudy {
  const t0 = performance.now();
  mkdirSync(o.dir, { recursive: true });
  manualSeed(0);
  const data = exp.data(hp, { dataDir: o.dataDir });
  const total = lotteryTrainings(o);
  const log = new JsonlAppender(join(o.dir, 'results.jsonl'));
  writeFileAtomic(join(o.dir, 'study.json'), JSON.stringify({
    kind: 'lottery', experiment: exp.name, hparams: hp, iterations: o.iterations, rounds: o.rounds, rate: o.rate,
    outputRate: o.outputRate ?? o.rate, rewind: o.rewind, controls: o.controls, controlEvery: o.controlEvery ?? 1, seeds: o.seeds,
    createdAt: new Date().toISOString(),
  }, null, 2) + '\n');
  let done = 0;
  let results: ImpResult[];
  try {
    results = iterativeMagnitudePruning({
      makeModel: () => exp.model(hp), makeOptimizer: (p) => exp.optimizer(p, hp), loss: exp.loss,
      train: data.train, val: data.val, test: data.test, iterations: o.iterations, batchSize: Number(hp.batchSize),
    }, { ...o, onResult: (r) => { log.append(r); o.onResult?.(r, ++done, total); } });
  } finally {
    log.close();
  }
  const rows = summarizeLottery(results);
  const claim = lotteryClaim(results);
  const table = lotteryTable(rows);
  const seconds = (performance.now() - t0) / 1000;
  writeFileAtomic(join(o.dir, 'summary.json'), JSON.stringify({ claim, rows, seconds }, null, 2) + '\n');
  writeFileAtomic(join(o.dir, 'table.txt'), [...table, '', `claim: ${claim.claim}`, `held: ${claim.held ? 'yes' : 'no'}`, claim.detail, ''].join('\n'));
  writeFileAtomic(join(o.dir, 'accuracy.svg'), lotteryPlot(rows, `${exp.name}: IMP, rewind to ${o.rewind === 'init' ? 'init' : `iteration ${o.rewind}`}, ${o.iterations} iterations/round, ${o.seeds.length} seed(s)`));
  return { dir: o.dir, results, rows, claim, table, seconds };
}
