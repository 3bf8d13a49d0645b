import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Run } from '../../track/run-store.js';
import { readJsonFile } from '../../track/files.js';
import { EventFileWriter } from './event-writer.js';
import { tagOf, hparamsMarkdown } from './run-events.js';

export interface TensorBoardExport {
  path: string;
  scalars: number;
  tags: string[];
}

/**
 * Writes a finished (or running) run as one TensorBoard event file in outDir: every metric
 * record as a scalar at its step and wall time (per-step batch loss, lr and gradient norm, and
 * the per-epoch train/val metrics), the test accuracy and loss from summary.json at the last
 * step, and the hyperparameters as a Markdown table in the Text tab (tag `hparams`).
 *
 * @example
 * exportRunToTensorBoard('runs/mnist-mlp-20260101-120000', 'tb/mnist-mlp');
 */
export function exportRunToTensorBoard(runDir: string, outDir: string): TensorBoardExport {
  const run = Run.open(runDir);
  const records = run.metrics();
  const created = Date.parse(run.info.createdAt) / 1000;
  const w = new EventFileWriter(outDir, Number.isFinite(created) ? created : undefined);
  const tags = new Set<string>();
  try {
    w.text('hparams', hparamsMarkdown(run.info), 0, created);
    for (const r of records) {
      const tag = tagOf(r);
      tags.add(tag);
      w.scalar(tag, r.value, r.step, r.time);
    }
    const summaryPath = join(run.dir, 'summary.json');
    let scalars = records.length;
    if (existsSync(summaryPath)) {
      const s = readJsonFile<Record<string, unknown>>(summaryPath, 'summary.json');
      const step = records.length ? records[records.length - 1].step : 0;
      const time = records.length ? records[records.length - 1].time : created;
      for (const [key, tag] of [['testAccuracy', 'test/accuracy'], ['testLoss', 'test/loss']] as const) {
        if (typeof s[key] === 'number') { w.scalar(tag, s[key], step, time); tags.add(tag); scalars++; }
      }
    }
    return { path: w.path, scalars, tags: [...tags].sort() };
  } finally {
    w.close();
  }
}
