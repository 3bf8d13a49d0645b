// Run page: one run's curves, per-epoch results, checkpoints, test evaluation and settings, live.
import { definePage } from '../page.js';
import { runEpochs, runGradNorm, runInfo, runSeries } from './run-api.js';
import { renderRun } from './run-view.js';

export const runPage = definePage({
  id: 'run',
  title: 'Run',
  nav: false,
  api: { info: runInfo, series: runSeries, gradnorm: runGradNorm, epochs: runEpochs },
  render: renderRun,
});
