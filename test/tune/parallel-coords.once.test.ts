import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parallelCoordinatesSvg, objectiveColor } from '../../src/tune/parallel-coords.js';
import type { SearchSpace } from '../../src/tune/types.js';

const space: SearchSpace = {
  lr: { type: 'float', low: 1e-4, high: 1e-2, log: true },
  act: { type: 'categorical', choices: ['relu', 'tanh', 'gelu'] },
};

/** The polyline points of each trial, by trial number. */
function lines(svg: string): Map<number, Array<[number, number]>> {
  const out = new Map<number, Array<[number, number]>>();
  for (const m of svg.matchAll(/<polyline data-trial="(\d+)" points="([^"]+)"/g)) {
    out.set(Number(m[1]), m[2].split(' ').map((p) => p.split(',').map(Number) as [number, number]));
  }
  return out;
}

test('parallel coordinates: log axis puts 1e-3 midway, categoricals evenly spaced, best objective at the top, drawn last', () => {
  const svg = parallelCoordinatesSvg(space, [
    { trial: 0, params: { lr: 1e-4, act: 'relu' }, value: 0.5 },
    { trial: 1, params: { lr: 1e-3, act: 'tanh' }, value: 0.1 },
    { trial: 2, params: { lr: 1e-2, act: 'gelu' }, value: 0.3 },
    { trial: 3, params: { lr: 1e-3, act: 'gelu' }, value: NaN },
  ], { metric: 'val_loss', direction: 'minimize', width: 600, height: 340 });
  const l = lines(svg);
  assert.deepEqual([...l.keys()], [0, 2, 1], 'worst first, best last; the NaN trial left out');
  const [lo, mid, hi] = [l.get(0)!, l.get(1)!, l.get(2)!];
  // y runs from 310 (unit 0) to 40 (unit 1).
  assert.deepEqual([lo[0][1], mid[0][1], hi[0][1]], [310, 175, 40], 'lr 1e-4, 1e-3, 1e-2 at the bottom, middle and top of a log axis');
  assert.deepEqual([lo[1][1], mid[1][1], hi[1][1]], [265, 175, 85], 'three choices at 1/6, 1/2, 5/6');
  assert.deepEqual([mid[2][1], hi[2][1], lo[2][1]], [40, 175, 310], 'minimizing: the lowest loss at the top');
  assert.match(svg, /lr \(log\)/);
  assert.equal(objectiveColor(1), 'rgb(253,231,37)');
  assert.equal(objectiveColor(0), 'rgb(68,1,84)');
});
