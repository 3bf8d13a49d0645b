// Compare page: chosen runs overlaid, differing hyperparameters, seed groups with a mean and band.
import { definePage } from '../page.js';
import { compareRuns, compareSeries } from './compare-api.js';
import { renderCompare } from './compare-view.js';

export const comparePage = definePage({
  id: 'compare',
  title: 'Compare',
  nav: true,
  api: { runs: compareRuns, series: compareSeries },
  render: renderCompare,
});
