import { dirname, join, resolve } from 'node:path';
import { manualSeed } from '../../tensor/random.js';
import { backend } from '../../backend/registry.js';
import { Trainer } from '../../train/trainer.js';
import { Run } from '../../track/run-store.js';
import { concatDatasets } from '../../data/dataset.js';
import type { Experiment, HParams } from '../../experiments/define.js';
import type { TestResult } from '../../train/test-once.js';

export interface FinalResult {
  runDir: string;
  tested: TestResult & { epoch: number };
  hparams: HParams;
}

/**
 * The last step of a search, as the lecture prescribes: retrain the chosen configuration on
 * train+validation (no more selection is left to do, so the validation data is better spent on
 * training) and evaluate the sealed test set once with the last model, recorded in the test
 * ledger beside the run directories.
 */
export function finalRetrain(o: { experiment: Experiment<HParams>; hparams: HParams; runsDir: string; dataDir?: string; study: string; trial: number; versions?: Record<string, string> }): FinalResult {
  const exp = o.experiment, hp = o.hparams;
  const seed = Number(hp.seed ?? 0);
  manualSeed(seed);
  const data = exp.data(hp, { dataDir: o.dataDir });
  const run = Run.create(o.runsDir, {
    experiment: exp.name, hparams: hp, seed, backend: backend().describe(), versions: o.versions ?? {},
    extra: { final: true, study: o.study, fromTrial: o.trial },
  });
  const train = concatDatasets(data.train, data.val, 'train+val');
  const model = exp.model(hp);
  const optimizer = exp.optimizer(model.parameters(), hp);
  const batchSize = Number(hp.batchSize ?? 64);
  const scheduler = exp.scheduler?.(optimizer, hp, Math.ceil(train.length / batchSize));
  const trainer = new Trainer({ model, optimizer, loss: exp.loss, scheduler, schedulerInterval: exp.schedulerInterval, run, checkpointMonitor: 'train_loss' });
  try {
    trainer.fit({ train, val: data.val, trainTransform: data.trainTransform }, { epochs: Number(hp.epochs ?? 1), batchSize, seed });
    const tested = trainer.test(data.test, { experiment: exp.name, checkpoint: 'last', ledgerPath: join(dirname(resolve(run.dir)), 'test-ledger.jsonl') });
    run.writeSummary({ experiment: exp.name, study: o.study, fromTrial: o.trial, final: true, testLoss: tested.evaluation.loss, testAccuracy: tested.evaluation.accuracy, testAccuracyCI: tested.ci, modelHash: tested.modelHash });
    run.setStatus('completed');
    return { runDir: run.dir, tested, hparams: hp };
  } catch (e) {
    run.setStatus('failed', (e as Error).message);
    throw e;
  } finally {
    run.close();
  }
}
