import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Module } from '../nn/module.js';
import type { TensorDataset } from '../data/dataset.js';
import { evaluate, type Evaluation, type LossFn } from './evaluate.js';
import { TestLedger, datasetHash, hashBytes, type LedgerCheck } from '../track/test-ledger.js';
import { wilsonInterval } from '../stats/binomial-interval.js';

export interface TestResult {
  evaluation: Evaluation;
  /** 95% Wilson interval of the accuracy, for classifiers. */
  ci: [number, number] | null;
  modelHash: string;
  ledger: LedgerCheck;
  /** One human-readable line: accuracy, interval and n. */
  line: string;
}

/**
 * Evaluates the sealed test set for one model and records it in the ledger. The model hash
 * is the hash of its weights file, so re-testing the same checkpoint is not counted as a new
 * model, while testing a different one is.
 */
export function testOnce(o: {
  model: Module; loss: LossFn; test: TensorDataset; experiment: string; runId: string;
  weightsFile: string; ledgerPath: string;
}): TestResult {
  const evaluation = evaluate(o.model, o.loss, o.test, { keepPredictions: true });
  const modelHash = hashBytes(readFileSync(o.weightsFile));
  const ledger = new TestLedger(o.ledgerPath).record({
    testSet: datasetHash(o.test.x, o.test.y), experiment: o.experiment, runId: o.runId, modelHash,
    metric: evaluation.accuracy !== undefined ? 'accuracy' : 'loss', value: evaluation.accuracy ?? evaluation.loss, n: evaluation.total,
  });
  let ci: [number, number] | null = null;
  let line = `test loss ${evaluation.loss.toFixed(4)} (n=${evaluation.total})`;
  if (evaluation.accuracy !== undefined && evaluation.correct !== undefined) {
    const w = wilsonInterval(evaluation.correct, evaluation.total, 0.95);
    ci = [w.lo, w.hi];
    line = `test accuracy ${evaluation.accuracy.toFixed(4)} (95% Wilson CI ${w.lo.toFixed(4)}-${w.hi.toFixed(4)}, n=${evaluation.total})`;
  }
  return { evaluation, ci, modelHash, ledger, line };
}

export const weightsFileOf = (checkpointDir: string): string => join(checkpointDir, 'model.safetensors');
