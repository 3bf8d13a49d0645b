import type { Tensor } from '../tensor/tensor.js';
import type { Module } from '../nn/module.js';
import type { TensorDataset } from '../data/dataset.js';
import { noGrad } from '../autograd/grad-mode.js';

export type LossFn = (output: Tensor, target: Tensor) => Tensor;

export interface Evaluation {
  loss: number;
  /** Present for classifiers (integer targets). */
  accuracy?: number;
  correct?: number;
  total: number;
  /** Predicted class per example, kept when asked (confusion matrices, McNemar tests). */
  predictions?: Int32Array;
}

/**
 * One full pass over a dataset in eval mode without a graph: the mean loss over every example
 * (not a running average of training batches) and, for integer targets, the accuracy.
 */
export function evaluate(model: Module, loss: LossFn, ds: TensorDataset, o: { batchSize?: number; keepPredictions?: boolean } = {}): Evaluation {
  const bs = o.batchSize ?? 1000;
  const wasTraining = model.training;
  model.eval();
  let lossSum = 0, correct = 0;
  const classify = ds.y.dtype === 'int32';
  const predictions = o.keepPredictions && classify ? new Int32Array(ds.length) : undefined;
  try {
    noGrad(() => {
      const idx = new Int32Array(ds.length);
      for (let i = 0; i < idx.length; i++) idx[i] = i;
      for (let start = 0; start < ds.length; start += bs) {
        const rows = idx.subarray(start, Math.min(start + bs, ds.length));
        const { x, y } = ds.rows(rows);
        const out = model.call(x);
        lossSum += loss(out, y).item() * rows.length;
        if (classify) {
          const pred = out.argmax(-1).data;
          for (let i = 0; i < rows.length; i++) {
            if (pred[i] === y.data[i]) correct++;
            if (predictions) predictions[start + i] = pred[i];
          }
        }
      }
    });
  } finally {
    model.train(wasTraining);
  }
  const total = ds.length;
  return classify
    ? { loss: lossSum / total, accuracy: correct / total, correct, total, predictions }
    : { loss: lossSum / total, total };
}
