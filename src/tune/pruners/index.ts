import type { Pruner } from '../types.js';
import { MedianPruner } from './median.js';
import { AshaPruner } from './asha.js';
import { HyperbandPruner } from './hyperband.js';

export { MedianPruner, PercentilePruner } from './median.js';
export { AshaPruner } from './asha.js';
export { HyperbandPruner } from './hyperband.js';

export const PRUNERS = ['median', 'asha', 'hyperband', 'none'] as const;
export type PrunerName = (typeof PRUNERS)[number];

/** A pruner by name with its defaults; hyperband needs the most epochs a trial can run. */
export function createPruner(name: PrunerName, o: { maxEpochs?: number; studyName?: string } = {}): Pruner | null {
  switch (name) {
    case 'none': return null;
    case 'median': return new MedianPruner();
    case 'asha': return new AshaPruner();
    case 'hyperband': return new HyperbandPruner({ maxResource: Math.max(1, o.maxEpochs ?? 1), studyName: o.studyName });
    default: throw new Error(`unknown pruner '${String(name)}'; choose one of ${PRUNERS.join(', ')}`);
  }
}
