import type { HParamValue } from '../../experiments/define.js';
import type { ParamSpec, Params, Sampler, SampleContext, SearchSpace } from '../types.js';
import { conditionHolds, hasConditionals, orderParams, SearchSpaceError } from '../space.js';
import { fromUnit, levelCount } from '../space-cube.js';
import { SearchSpaceExhaustedError } from './trials.js';

export interface GridOptions {
  /**
   * Points for a float without `step`: that many values evenly spaced from low to high (in log
   * space for log floats), both ends included. Without it such a float is an error, because a
   * grid over a continuum has no natural size.
   */
  floatPoints?: number;
}

/** Grids larger than this are refused: a grid search that cannot finish is a mistake. */
const MAX_GRID = 1_000_000;

/** The values a parameter takes on the grid. */
export function gridValues(name: string, spec: ParamSpec, options: GridOptions = {}): HParamValue[] {
  if (spec.type === 'fixed') return [spec.value];
  if (spec.type === 'categorical') return [...spec.choices];
  const m = levelCount(spec);
  if (Number.isFinite(m)) {
    if (m > MAX_GRID) throw new SearchSpaceError(`grid sampler: parameter '${name}' has ${m} values, more than ${MAX_GRID}; give it a coarser step`);
    return Array.from({ length: m }, (_, k) => fromUnit(spec, (k + 0.5) / m));
  }
  const p = options.floatPoints;
  if (p === undefined) {
    throw new SearchSpaceError(`grid sampler: float parameter '${name}' has no step; give it a step or pass the grid option floatPoints`);
  }
  if (!Number.isInteger(p) || p < 1) throw new SearchSpaceError(`grid sampler: floatPoints must be a positive integer, got ${p}`);
  if (p === 1) return [fromUnit(spec, 0.5)];
  return Array.from({ length: p }, (_, k) => fromUnit(spec, k / (p - 1)));
}

/**
 * The cartesian product of every parameter's grid values, point i taken from
 * ctx.nextSequenceIndex() (claimed atomically by the store), so each point runs exactly once
 * across any number of workers. The first parameter varies slowest. With conditional parameters
 * the grid holds each distinct active configuration once (a child is only varied where its
 * condition holds). Asking past the last point throws SearchSpaceExhaustedError.
 * @example createSampler('grid', { floatPoints: 5 })
 */
export class GridSampler implements Sampler {
  readonly name = 'grid';
  private cached?: { space: SearchSpace; grid: Grid };

  constructor(private readonly options: GridOptions = {}) {}

  /** Number of points of the grid over `space`. */
  size(space: SearchSpace): number {
    return this.gridFor(space).size;
  }

  /** Grid point i (0 <= i < size). */
  point(space: SearchSpace, i: number): Params {
    const grid = this.gridFor(space);
    if (!Number.isInteger(i) || i < 0) throw new RangeError(`grid sampler: point index must be a non-negative integer, got ${i}`);
    if (i >= grid.size) throw new SearchSpaceExhaustedError(`grid sampler: all ${grid.size} grid points have been handed out (asked for point ${i})`);
    return grid.at(i);
  }

  async sample(space: SearchSpace, _trials: unknown, ctx: SampleContext): Promise<{ params: Params; sequenceIndex: number }> {
    this.gridFor(space); // validate before claiming an index
    const i = await ctx.nextSequenceIndex();
    return { params: this.point(space, i), sequenceIndex: i };
  }

  private gridFor(space: SearchSpace): Grid {
    if (this.cached?.space !== space) this.cached = { space, grid: buildGrid(space, this.options) };
    return this.cached.grid;
  }
}

interface Grid {
  size: number;
  at(i: number): Params;
}

function buildGrid(space: SearchSpace, options: GridOptions): Grid {
  const names = orderParams(space);
  const values = names.map((n) => gridValues(n, space[n], options));
  if (!hasConditionals(space)) {
    const size = values.reduce((p, v) => p * v.length, 1);
    if (size > MAX_GRID) throw new SearchSpaceError(`grid sampler: ${size} points, more than ${MAX_GRID}; coarsen the space`);
    return {
      size,
      at(i) {
        // Mixed radix, last parameter fastest.
        const out: Params = {};
        for (let k = names.length - 1; k >= 0; k--) {
          const m = values[k].length;
          out[names[k]] = values[k][i % m];
          i = Math.floor(i / m);
        }
        return Object.fromEntries(names.map((n) => [n, out[n]]));
      },
    };
  }
  // Conditional spaces: enumerate the distinct active configurations depth first.
  const points: Params[] = [];
  const walk = (k: number, chosen: Params): void => {
    if (points.length > MAX_GRID) throw new SearchSpaceError(`grid sampler: more than ${MAX_GRID} points; coarsen the space`);
    if (k === names.length) { points.push({ ...chosen }); return; }
    const spec = space[names[k]];
    if (!conditionHolds(spec, chosen)) { walk(k + 1, chosen); return; }
    for (const v of values[k]) {
      chosen[names[k]] = v;
      walk(k + 1, chosen);
    }
    delete chosen[names[k]];
  };
  walk(0, {});
  return { size: points.length, at: (i) => ({ ...points[i] }) };
}
