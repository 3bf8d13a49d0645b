import type { MetricRecord, RunInfo } from '../../track/run-store.js';

/**
 * How run-store records become TensorBoard tags: grouped by split, so the Scalars tab shows a
 * `train` and a `val` section (`val_loss` -> `val/loss`, `batch_loss` -> `train/batch_loss`).
 */
export function tagOf(r: Pick<MetricRecord, 'split' | 'name'>): string {
  const own = `${r.split}_`;
  return `${r.split}/${r.name.startsWith(own) ? r.name.slice(own.length) : r.name}`;
}

/** The run's experiment, seed, backend and hyperparameters as a Markdown table (TensorBoard's Text tab). */
export function hparamsMarkdown(info: RunInfo): string {
  const rows: Array<[string, unknown]> = [
    ['experiment', info.experiment], ['run', info.id], ['seed', info.seed], ['backend', info.backend],
    ...Object.entries(info.hparams).map(([k, v]) => [`hparams.${k}`, v] as [string, unknown]),
  ];
  const cell = (v: unknown): string => String(typeof v === 'object' ? JSON.stringify(v) : v).replace(/\|/g, '\\|');
  return ['| name | value |', '|---|---|', ...rows.map(([k, v]) => `| ${cell(k)} | ${cell(v)} |`)].join('\n');
}
