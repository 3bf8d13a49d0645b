// Follows a metrics.jsonl file: each refresh reads only the bytes appended since the last one,
// in fixed-size chunks, and parses complete lines into the run's columns. A line still being
// written (no newline yet) waits for the next refresh; a line that is not a metric record is
// counted and named once, and the rest of the file still loads.
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { SeriesSet, metricRecordProblem, type MetricRecordLike } from '../series/series-set.js';

const CHUNK = 1 << 20;

export class MetricsReader {
  readonly set = new SeriesSet();
  /** Bytes consumed (up to the end of the last complete line). */
  offset = 0;
  lines = 0;
  badLines = 0;
  firstProblem: string | null = null;
  private pending = '';

  constructor(readonly path: string) {}

  /** Reads what was appended since the last call; returns the number of new records. Throws ENOENT if the file is gone. */
  refresh(): number {
    let fd: number;
    try {
      fd = openSync(this.path, 'r');
    } catch (e) {
      if ((e as { code?: string }).code === 'ENOENT' && this.offset === 0) return 0; // no metrics yet
      throw e;
    }
    const before = this.set.records;
    try {
      const size = fstatSync(fd).size;
      if (size < this.offset) this.reset(); // truncated or replaced: start over
      const buf = Buffer.allocUnsafe(CHUNK);
      let pos = this.offset + Buffer.byteLength(this.pending);
      while (pos < size) {
        const n = readSync(fd, buf, 0, Math.min(CHUNK, size - pos), pos);
        if (n <= 0) break;
        pos += n;
        this.consume(buf.toString('utf8', 0, n));
      }
    } finally {
      closeSync(fd);
    }
    return this.set.records - before;
  }

  private reset(): void {
    Object.assign(this, { offset: 0, lines: 0, badLines: 0, firstProblem: null, pending: '' });
    (this as { set: SeriesSet }).set = new SeriesSet();
  }

  private consume(text: string): void {
    // A chunk boundary can split a multi-byte character; utf8 decoding of such a split yields
    // U+FFFD, but metric records are ASCII JSON, so the worst case is one bad line, counted.
    let data = this.pending + text;
    let start = 0;
    for (let nl = data.indexOf('\n', start); nl >= 0; nl = data.indexOf('\n', start)) {
      const line = data.slice(start, nl);
      this.offset += Buffer.byteLength(line) + 1;
      start = nl + 1;
      this.lines++;
      if (line.trim() === '') continue;
      this.parse(line);
    }
    data = data.slice(start);
    this.pending = data;
  }

  private parse(line: string): void {
    let r: unknown;
    try {
      r = JSON.parse(line);
    } catch {
      this.bad(`line ${this.lines} is not valid JSON`);
      return;
    }
    if (r && typeof r === 'object' && (r as { value?: unknown }).value === null) (r as { value: number }).value = NaN;
    const problem = metricRecordProblem(r);
    if (problem) {
      this.bad(`line ${this.lines}: ${problem}`);
      return;
    }
    this.set.add(r as MetricRecordLike);
  }

  private bad(what: string): void {
    this.badLines++;
    this.firstProblem ??= what;
  }

  /** What to tell the user about this file, or null if every complete line was a record. */
  problem(): string | null {
    if (!this.badLines) return null;
    return `metrics.jsonl: ${this.badLines} unreadable line${this.badLines > 1 ? 's' : ''} skipped (first: ${this.firstProblem})`;
  }
}
