import { formatShape, numel, type Shape, ShapeError } from './shape.js';

/**
 * Strict broadcasting. Broadcasting that makes the result larger than both operands while
 * adding a dimension on the left — `(16) * (16, 1) -> (16, 16)` — is almost always a bug
 * (a prediction vector against a column of targets). 'warn' prints it once per site, 'error' throws.
 */
export type BroadcastMode = 'off' | 'warn' | 'error';
let mode: BroadcastMode = 'off';
const warned = new Set<string>();
let sink: (message: string) => void = (m) => console.warn(m);

export function setBroadcastMode(m: BroadcastMode): void {
  if (m !== 'off' && m !== 'warn' && m !== 'error') throw new Error(`setBroadcastMode: expected 'off', 'warn' or 'error', got '${String(m)}'`);
  mode = m;
  warned.clear();
}

export function getBroadcastMode(): BroadcastMode {
  return mode;
}

/** Where warnings go (the doctor collects them instead of printing). */
export function setBroadcastWarningSink(fn: (message: string) => void): () => void {
  const prev = sink;
  sink = fn;
  return () => { sink = prev; };
}

export function checkBroadcast(op: string, a: Shape, b: Shape, out: Shape): void {
  if (mode === 'off' || a.length === b.length) return;
  const n = numel(out);
  if (n <= numel(a) || n <= numel(b)) return;
  const message =
    `broadcast: ${op} of shapes ${formatShape(a)} and ${formatShape(b)} gives ${formatShape(out)}, larger than both ` +
    'inputs, by adding a dimension on the left. If you meant elementwise, make the shapes equal ' +
    '(e.g. squeeze the (N, 1) tensor or unsqueeze the (N) one); if you meant an outer product, expand explicitly.';
  if (mode === 'error') throw new ShapeError(message);
  const stackKey = `${op}:${formatShape(a)}:${formatShape(b)}`;
  if (!warned.has(stackKey)) {
    warned.add(stackKey);
    sink(message);
  }
}
