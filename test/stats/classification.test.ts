// Confusion matrix and per-class metrics, checked against scikit-learn's documented examples.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { confusionMatrix, perClassMetrics } from '../../src/stats/index.js';
import { near, throwsWith } from './helpers.js';

describe('confusionMatrix', () => {
  it('matches the scikit-learn documentation example', () => {
    // sklearn.metrics.confusion_matrix docs: y_true = [2, 0, 2, 2, 0, 1], y_pred = [0, 0, 2, 2, 0, 2]
    // -> [[2, 0, 0], [0, 0, 1], [1, 0, 2]] (rows = true class, columns = predicted).
    const m = confusionMatrix([0, 0, 2, 2, 0, 2], [2, 0, 2, 2, 0, 1], 3);
    assert.deepEqual(m, [[2, 0, 0], [0, 0, 1], [1, 0, 2]]);
  });
  it('accepts typed arrays and includes classes that never occur', () => {
    const m = confusionMatrix(new Int32Array([1, 1]), new Float32Array([1, 0]), 4);
    assert.deepEqual(m, [[0, 1, 0, 0], [0, 1, 0, 0], [0, 0, 0, 0], [0, 0, 0, 0]]);
  });
  it('rejects bad labels and lengths', () => {
    throwsWith(() => confusionMatrix([0, 3], [0, 1], 3), ['confusionMatrix', 'predictions[1]', 'integer in [0, 2]', 'got 3']);
    throwsWith(() => confusionMatrix([0, 1], [0, 0.5], 3), ['targets[1]', 'got 0.5']);
    throwsWith(() => confusionMatrix([0], [0, 1], 3), ['same length', 'got 1 and 2']);
    throwsWith(() => confusionMatrix([0], [0], 0), ['numClasses', 'integer >= 1', 'got 0']);
  });
});

describe('perClassMetrics', () => {
  it('matches the scikit-learn classification_report documentation example', () => {
    // sklearn.metrics.classification_report docs: y_true = [0, 1, 2, 2, 2], y_pred = [0, 0, 2, 2, 1]:
    //            precision recall f1-score support
    //   class 0     0.50    1.00    0.67      1
    //   class 1     0.00    0.00    0.00      1
    //   class 2     1.00    0.67    0.80      3
    //   accuracy                    0.60      5
    //   macro avg   0.50    0.56    0.49      5
    //   weighted    0.70    0.60    0.61      5
    // 4-decimal values are the exact fractions (e.g. macro recall 5/9 = 0.5556, weighted F1 46/75 = 0.6133).
    const r = perClassMetrics(confusionMatrix([0, 0, 2, 2, 1], [0, 1, 2, 2, 2], 3));
    const expect = [[0.5, 1, 0.6667, 1], [0, 0, 0, 1], [1, 0.6667, 0.8, 3]];
    r.perClass.forEach((c, i) => {
      near(c.precision, expect[i][0], `precision[${i}]`);
      near(c.recall, expect[i][1], `recall[${i}]`);
      near(c.f1, expect[i][2], `f1[${i}]`);
      assert.equal(c.support, expect[i][3]);
    });
    near(r.accuracy, 0.6, 'accuracy');
    near(r.macro.precision, 0.5, 'macro precision');
    near(r.macro.recall, 0.5556, 'macro recall');
    near(r.macro.f1, 0.4889, 'macro F1');
    near(r.weighted.precision, 0.7, 'weighted precision');
    near(r.weighted.recall, 0.6, 'weighted recall');
    near(r.weighted.f1, 0.6133, 'weighted F1');
    assert.equal(r.total, 5);
    assert.equal(r.macro.support, 5);
  });
  it('uses zero_division = 0 for classes never predicted or never present', () => {
    // Class 1 is never predicted (precision 0/0 -> 0); class 2 never occurs (recall 0/0 -> 0).
    const r = perClassMetrics([[3, 0, 1], [2, 0, 0], [0, 0, 0]]);
    assert.equal(r.perClass[1].precision, 0);
    assert.equal(r.perClass[1].f1, 0);
    assert.equal(r.perClass[2].recall, 0);
    assert.equal(r.perClass[2].precision, 0);
    near(r.accuracy, 0.5, 'accuracy');
    assert.equal(perClassMetrics([[0, 0], [0, 0]]).accuracy, 0);
  });
  it('weighted recall equals accuracy (an identity of the definitions)', () => {
    const r = perClassMetrics([[50, 3, 2], [4, 30, 6], [1, 2, 12]]);
    near(r.weighted.recall, r.accuracy, 'weighted recall vs accuracy', 1e-15);
  });
  it('rejects non-square or negative matrices', () => {
    throwsWith(() => perClassMetrics([[1, 2], [3]]), ['perClassMetrics', 'matrix[1]', 'square']);
    throwsWith(() => perClassMetrics([[1, -2], [3, 4]]), ['matrix[0][1]', 'count >= 0', 'got -2']);
    throwsWith(() => perClassMetrics([]), ['matrix', 'non-empty']);
  });
});
