// What leaves the house from a run's metrics: one entry per format, so adding a format
// (TensorBoard event files, ...) is one more entry in EXPORT_FORMATS.
import { writeFileAtomic } from '../track/files.js';
import type { MetricRecord, RunInfo } from '../track/run-store.js';
import { tensorBoardFormat } from './tensorboard/export-format.js';

export interface ExportInput {
  dir: string;
  info: RunInfo | null;
  /** The run's records as Run.metrics() gives them (a resumed run's replays resolved). */
  records: MetricRecord[];
}

export interface ExportFormat {
  description: string;
  /** File name used when --out is not given and stdout is not wanted (null: stdout). */
  defaultOut: ((input: ExportInput) => string) | null;
  /** Writes to `out`, or returns the text for stdout when `out` is null. */
  write(input: ExportInput, out: string | null): string | null;
}

const COLUMNS = ['step', 'epoch', 'split', 'name', 'value', 'time'] as const;

/** RFC 4180 quoting: a field with a comma, quote or newline is quoted, quotes doubled. */
function csvField(v: unknown): string {
  const s = typeof v === 'number' && !Number.isFinite(v) ? String(v) : String(v);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function metricsCsv(records: MetricRecord[]): string {
  return [COLUMNS.join(','), ...records.map((r) => COLUMNS.map((c) => csvField(r[c])).join(','))].join('\n') + '\n';
}

export function metricsJsonl(records: MetricRecord[]): string {
  return records.map((r) => JSON.stringify(r)).join('\n') + (records.length ? '\n' : '');
}

const textFormat = (render: (records: MetricRecord[]) => string, description: string): ExportFormat => ({
  description,
  defaultOut: null,
  write: (input, out) => {
    const text = render(input.records);
    if (out === null) return text;
    writeFileAtomic(out, text);
    return null;
  },
});

export const EXPORT_FORMATS: Record<string, ExportFormat> = {
  csv: textFormat(metricsCsv, 'one row per metric record: step,epoch,split,name,value,time (for spreadsheets, pandas)'),
  jsonl: textFormat(metricsJsonl, 'one JSON record per line, as metrics.jsonl with replays after a resume resolved'),
  tensorboard: tensorBoardFormat,
};
