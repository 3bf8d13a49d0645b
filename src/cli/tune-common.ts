import { readFileSync } from 'node:fs';
import { UsageError } from './args.js';

/** What the tuning commands share: versions for run.json and list parsing for --lrs / --features. */
export function packageVersions(): Record<string, string> {
  let own = 'unknown';
  try {
    own = (JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string }).version;
  } catch { /* unusual layout: the version is informational */ }
  return { tradecraft: own, node: process.version };
}

/** Parses "1e-4,3e-4,1e-3" into positive numbers, naming the flag and the bad entry. */
export function parseNumberList(flag: string, text: string, example: string): number[] {
  const parts = text.split(',').map((s) => s.trim()).filter((s) => s !== '');
  if (parts.length === 0) throw new UsageError(`--${flag} needs a comma-separated list, e.g. --${flag} ${example}`);
  return parts.map((s) => {
    const v = Number(s);
    if (!Number.isFinite(v) || v <= 0) throw new UsageError(`--${flag}: ${JSON.stringify(s)} is not a positive number; write e.g. --${flag} ${example}`);
    return v;
  });
}

/** A short number: 3 significant digits, exponent form for small and large values. */
export function fmtNum(v: number | undefined | null, digits = 3): string {
  if (v === undefined || v === null || !Number.isFinite(v)) return String(v);
  const a = Math.abs(v);
  return a !== 0 && (a < 1e-3 || a >= 1e5) ? v.toExponential(digits - 1) : String(+v.toPrecision(digits));
}
