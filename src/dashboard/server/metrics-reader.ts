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

  /** `keep`: only records whose name passes are parsed and kept (others are skipped unparsed). */
  constructor(readonly path: string, private readonly keep: ((name: string) => boolean) | null = null) {}

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
    const data = this.pending + text;
    const end = data.lastIndexOf('\n');
    if (end < 0) {
      this.pending = data;
      return;
    }
    const complete = data.slice(0, end);
    this.pending = data.slice(end + 1);
    this.offset += Buffer.byteLength(complete) + 1;
    const lines = complete.split('\n');
    const firstLine = this.lines + 1;
    this.lines += lines.length;
    // One JSON.parse for the whole chunk is several times faster than one per line; a chunk
    // with a bad line (or lines to filter) is parsed line by line to find and skip it.
    if (!this.keep) {
      let records: unknown[] | null = null;
      try {
        records = JSON.parse(`[${lines.filter((l) => l.trim() !== '').join(',')}]`) as unknown[];
      } catch { /* a bad line somewhere: see below */ }
      if (records) {
        for (const r of records) this.accept(r, firstLine);
        return;
      }
    }
    lines.forEach((line, k) => { if (line.trim() !== '') this.parse(line, firstLine + k); });
  }

  private accept(r: unknown, lineNo: number): void {
    if (r && typeof r === 'object' && (r as { value?: unknown }).value === null) (r as { value: number }).value = NaN;
    const problem = metricRecordProblem(r);
    if (problem) {
      this.bad(`line ${lineNo}: ${problem}`);
      return;
    }
    this.set.add(r as MetricRecordLike);
  }

  private parse(line: string, lineNo: number): void {
    if (this.keep) {
      const name = nameOf(line);
      if (name !== null && !this.keep(name)) return;
    }
    let r: unknown;
    try {
      r = JSON.parse(line);
    } catch {
      this.bad(`line ${lineNo} is not valid JSON`);
      return;
    }
    this.accept(r, lineNo);
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

/** The value of the "name" field of a JSON line without parsing the line (null if not found simply). */
export function nameOf(line: string): string | null {
  const k = line.indexOf('"name"');
  if (k < 0) return null;
  let i = k + 6;
  while (line[i] === ' ' || line[i] === ':' || line[i] === '\t') i++;
  if (line[i] !== '"') return null;
  const end = line.indexOf('"', i + 1);
  if (end < 0) return null;
  const name = line.slice(i + 1, end);
  return name.includes('\\') ? null : name;
}
