// Search spaces: builders, validation messages, the JSON file format, the unit cube, conditionals.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  float, int, categorical, fixed, when, validateSpace, parseSpaceJson, resolveActive, cubeDims,
  fromUnit, toUnit, paramsFromUnit, paramsToUnit, levelCount,
} from '../../src/tune/index.js';
import { throwsWith } from './helpers.js';

describe('validation', () => {
  it('rejects an empty range, naming the bounds', () => {
    throwsWith(() => float(1, 1), ['empty range [1, 1]']);
    throwsWith(() => float(2, 1), ['empty range [2, 1]', 'low must be below high']);
    throwsWith(() => int(5, 4), ['empty range [5, 4]']);
  });
  it('rejects log scale with a non-positive bound', () => {
    throwsWith(() => float(0, 1, { log: true }), ['log scale needs positive bounds', 'low = 0']);
    throwsWith(() => int(-3, 10, { log: true }), ['log scale needs positive bounds', 'low = -3']);
  });
  it('rejects bad steps and choices', () => {
    throwsWith(() => int(0, 10, { step: 0.5 }), ['int step must be an integer']);
    throwsWith(() => float(1e-3, 1, { log: true, step: 0.1 }), ['step and log cannot be combined']);
    throwsWith(() => categorical([]), ['non-empty list of choices']);
    throwsWith(() => categorical(['a', 'a']), ['duplicate']);
    throwsWith(() => float(NaN, 1), ['finite numbers']);
  });
  it('rejects a hyperparameter the experiment does not have, listing the ones it has', () => {
    const hparams = { lr: 1e-3, batchSize: 64 };
    validateSpace({ lr: float(1e-5, 1, { log: true }) }, hparams);
    throwsWith(() => validateSpace({ lr: float(1e-5, 1), momentum: float(0, 1) }, hparams), ["unknown hyperparameter 'momentum'", 'lr, batchSize']);
  });
  it('rejects conditions on missing parameters, impossible values and cycles', () => {
    throwsWith(() => validateSpace({ m: when('opt', 'sgd', float(0, 1)) }), ["depends on 'opt', which is not in the space"]);
    throwsWith(() => validateSpace({ opt: categorical(['adam', 'sgd']), m: when('opt', 'rmsprop', float(0, 1)) }), ['"rmsprop"', 'never takes']);
    throwsWith(() => validateSpace({ a: when('b', 1, int(0, 2)), b: when('a', 1, int(0, 2)) }), ['cycle']);
  });
});

describe('JSON space files', () => {
  const text = JSON.stringify({
    lr: { type: 'float', low: 1e-5, high: 0.1, log: true },
    hidden: { type: 'int', low: 32, high: 512, step: 32 },
    optimizer: ['adam', 'sgd'],
    momentum: { type: 'float', low: 0.5, high: 0.99, when: { param: 'optimizer', equals: 'sgd' } },
    epochs: 3,
  });
  it('parses every form, with shorthands for fixed and categorical', () => {
    const space = parseSpaceJson(text);
    assert.deepEqual(space.optimizer, { type: 'categorical', choices: ['adam', 'sgd'] });
    assert.deepEqual(space.epochs, { type: 'fixed', value: 3 });
    assert.deepEqual(space.momentum.when, { param: 'optimizer', equals: 'sgd' });
    assert.deepEqual(cubeDims(space), ['lr', 'hidden', 'optimizer', 'momentum']);
  });
  it('reports bad JSON, unknown fields and unknown hyperparameters with the file name', () => {
    throwsWith(() => parseSpaceJson('{"lr": ', undefined, 'space.json'), ['space.json: not valid JSON']);
    throwsWith(() => parseSpaceJson('{"lr": {"type": "float", "low": 0, "hi": 1}}', undefined, 'space.json'), ["'lr' has an unknown field 'hi'"]);
    throwsWith(() => parseSpaceJson(text, { lr: 0.1, hidden: 64, optimizer: 'adam', epochs: 1 }, 'space.json'), ["space.json: unknown hyperparameter 'momentum'"]);
    throwsWith(() => parseSpaceJson('{"lr": {"type": "float", "low": -1, "high": 1, "log": true}}'), ['log scale needs positive bounds']);
  });
});

describe('unit cube', () => {
  it('maps log parameters in log space', () => {
    const lr = float(1e-5, 1e-1, { log: true });
    assert.ok(Math.abs(toUnit(lr, 1e-3) - 0.5) < 1e-12);
    assert.ok(Math.abs((fromUnit(lr, 0.25) as number) - 1e-4) < 1e-18);
    assert.equal(fromUnit(lr, 0), 1e-5);
    assert.equal(fromUnit(lr, 1), 1e-1);
  });
  it('gives every discrete value an equal bin and encodes to the bin centre', () => {
    const h = int(32, 512, { step: 32 });
    assert.equal(levelCount(h), 16);
    const counts = new Map<number, number>();
    for (let k = 0; k < 1600; k++) {
      const v = fromUnit(h, (k + 0.5) / 1600) as number;
      counts.set(v, (counts.get(v) ?? 0) + 1);
    }
    assert.deepEqual([...counts.values()], new Array(16).fill(100));
    for (const v of counts.keys()) assert.equal(fromUnit(h, toUnit(h, v)), v);
    const c = categorical(['a', 'b', 'c']);
    assert.deepEqual([0, 0.34, 0.99].map((u) => fromUnit(c, u)), ['a', 'b', 'c']);
    const step = float(0, 1, { step: 0.1 });
    assert.equal(fromUnit(step, 0.35), 0.3); // not 0.30000000000000004
  });
  it('maps log ints so that each integer is reached and round-trips', () => {
    const n = int(1, 100, { log: true });
    const seen = new Set<number>();
    for (let k = 0; k <= 20000; k++) seen.add(fromUnit(n, k / 20000) as number);
    assert.equal(seen.size, 100);
    for (const v of [1, 2, 10, 99, 100]) assert.equal(fromUnit(n, toUnit(n, v)), v);
  });
});

describe('conditional parameters', () => {
  const space = {
    optimizer: categorical(['adam', 'sgd']),
    momentum: float(0.5, 0.99, { when: { param: 'optimizer', equals: 'sgd' } }),
    nesterov: when('momentum', [0.5], categorical([true, false])),
    epochs: fixed(3),
  };
  it('includes a child only when its parent takes the named value', () => {
    const adam = paramsFromUnit(space, [0.1, 0.7, 0.2]);
    assert.deepEqual(adam, { optimizer: 'adam', epochs: 3 });
    const sgd = paramsFromUnit(space, [0.9, 0.5, 0.2]);
    assert.deepEqual(Object.keys(sgd).sort(), ['epochs', 'momentum', 'optimizer']);
    assert.equal(sgd.momentum, 0.745);
  });
  it('chains conditions: a grandchild needs its parent active too', () => {
    const picks = { optimizer: 'sgd', momentum: 0.5, nesterov: true } as const;
    const all = resolveActive(space, (name) => picks[name as keyof typeof picks]);
    assert.deepEqual(all, { optimizer: 'sgd', momentum: 0.5, nesterov: true, epochs: 3 });
    const noParent = resolveActive(space, (name) => (name === 'optimizer' ? 'adam' : picks[name as keyof typeof picks]));
    assert.deepEqual(noParent, { optimizer: 'adam', epochs: 3 });
  });
  it('encodes inactive parameters at the cube centre', () => {
    assert.deepEqual([...paramsToUnit(space, { optimizer: 'adam', epochs: 3 })], [0.25, 0.5, 0.5]);
  });
});
