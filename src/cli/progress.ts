// A one-line progress bar for training loops. On a terminal it redraws in place (at most ~10
// times a second); anywhere else (pipes, log files, tests) it stays silent until finish(),
// which prints one summary line.

/** Where progress is written: process.stderr or anything with write() (isTTY/columns optional). */
export interface ProgressStream {
  write(chunk: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

/** Options for {@link createProgress}. */
export interface ProgressOptions {
  /** The number of steps (batches, samples...) at completion. */
  total: number;
  /** Shown at the start of the line, e.g. "epoch 3/10". */
  label: string;
  /** Default process.stderr. */
  stream?: ProgressStream;
  /** If set, the rate of `done` is shown as "<rate> <unit>/s". */
  unit?: string;
  /** Minimum time between redraws on a TTY; default 100 ms. */
  minIntervalMs?: number;
  /** Clock in ms (for tests); default Date.now. */
  now?: () => number;
}

/** A live progress display; see {@link createProgress}. */
export interface Progress {
  /**
   * Records that `done` of `total` steps are complete, with extra fields to show
   * (`{ loss: 0.2345 }` shows as loss=0.2345; a key ending in "/s" such as
   * `{ 'samples/s': 1234 }` shows as "1234 samples/s").
   */
  update(done: number, fields?: Record<string, string | number>): void;
  /** Draws the final state and ends the line (TTY), or prints one summary line (not a TTY). Idempotent. */
  finish(): void;
}

/** Formats a duration as m:ss or h:mm:ss. */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '?';
  const s = Math.round(ms / 1000);
  const h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60), sec = s % 60;
  const ss = String(sec).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${ss}` : `${m}:${ss}`;
}

/** Formats a field value compactly: integers as is, other numbers with 4 significant digits. */
export function formatFieldValue(v: string | number): string {
  if (typeof v === 'string') return v;
  if (!Number.isFinite(v) || Number.isInteger(v)) return String(v);
  if (Math.abs(v) >= 1000) return v.toFixed(0);
  return v.toPrecision(4);
}

function formatFields(fields: Record<string, string | number>): string {
  return Object.entries(fields)
    .map(([k, v]) => (k.endsWith('/s') ? `${formatFieldValue(v)} ${k}` : `${k}=${formatFieldValue(v)}`))
    .join(' ');
}

function formatRate(perSecond: number): string {
  if (!Number.isFinite(perSecond)) return '?';
  return perSecond >= 100 ? perSecond.toFixed(0) : perSecond >= 10 ? perSecond.toFixed(1) : perSecond.toFixed(2);
}

/**
 * Creates a progress bar for `total` steps. On a TTY stream, `update` redraws one line with
 * \r (throttled to ~10 Hz): label, bar, percent, done/total, elapsed<ETA and the fields.
 * On a non-TTY stream nothing is printed until `finish()`, which writes one summary line.
 */
export function createProgress(options: ProgressOptions): Progress {
  const { total, label } = options;
  const stream = options.stream ?? process.stderr;
  const now = options.now ?? Date.now;
  const minInterval = options.minIntervalMs ?? 100;
  const tty = stream.isTTY === true;
  const start = now();
  let done = 0;
  let fields: Record<string, string | number> = {};
  let lastDraw = -Infinity;
  let finished = false;

  const line = (t: number): string => {
    const elapsed = t - start;
    const frac = total > 0 ? Math.min(1, Math.max(0, done / total)) : 0;
    const cols = stream.columns && stream.columns > 20 ? stream.columns : 80;
    const barWidth = cols >= 100 ? 24 : 16;
    const filled = Math.floor(frac * barWidth);
    const bar = '='.repeat(filled) + (filled < barWidth ? (frac > 0 ? '>' : ' ') + ' '.repeat(barWidth - filled - 1) : '');
    const eta = done > 0 && total > done ? formatDuration((elapsed / done) * (total - done)) : done >= total ? '0:00' : '?';
    const parts = [
      label, `[${bar}]`, `${(frac * 100).toFixed(0).padStart(3)}%`, `${done}/${total}`,
      `${formatDuration(elapsed)}<${eta}`,
    ];
    if (options.unit && elapsed > 0) parts.push(`${formatRate(done / (elapsed / 1000))} ${options.unit}/s`);
    const f = formatFields(fields);
    if (f) parts.push(f);
    const text = parts.join(' ');
    return text.length > cols - 1 ? text.slice(0, cols - 1) : text;
  };

  const draw = (t: number) => {
    stream.write(`\r${line(t)}\x1b[K`);
    lastDraw = t;
  };

  return {
    update(n, f) {
      if (finished) return;
      done = n;
      if (f) fields = f;
      if (!tty) return;
      const t = now();
      if (t - lastDraw >= minInterval || n >= total) draw(t);
    },
    finish() {
      if (finished) return;
      finished = true;
      const t = now();
      if (tty) {
        draw(t);
        stream.write('\n');
        return;
      }
      const elapsed = t - start;
      const parts = [`${label}: ${done}/${total} in ${formatDuration(elapsed)}`];
      if (options.unit && elapsed > 0) parts.push(`${formatRate(done / (elapsed / 1000))} ${options.unit}/s`);
      const fl = formatFields(fields);
      if (fl) parts.push(fl);
      stream.write(parts.join(', ') + '\n');
    },
  };
}
