// Argument checks shared by the stats functions. Every error names the function, the
// argument, the value received and what is allowed, so a caller can fix it without
// reading the source. Internal: not re-exported from index.ts.

function show(value: unknown): string {
  if (typeof value === 'number') return Number.isNaN(value) ? 'NaN' : String(value);
  if (typeof value === 'string') return JSON.stringify(value);
  if (value === undefined) return 'undefined';
  if (value === null) return 'null';
  if (Array.isArray(value)) return `an array of length ${value.length}`;
  return typeof value;
}

/** Throws `Error("<fn>: <name> must be <allowed>, got <value>")`. */
export function fail(fn: string, name: string, allowed: string, value: unknown): never {
  throw new Error(`${fn}: ${name} must be ${allowed}, got ${show(value)}`);
}

export function checkFinite(fn: string, name: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) fail(fn, name, 'a finite number', value);
  return value;
}

export function checkInteger(fn: string, name: string, value: unknown, min: number, max = Infinity): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    const range = max === Infinity ? `>= ${min}` : `between ${min} and ${max}`;
    fail(fn, name, `an integer ${range}`, value);
  }
  return value;
}

/** A confidence level strictly between 0 and 1 (e.g. 0.95). */
export function checkLevel(fn: string, value: unknown): number {
  if (typeof value !== 'number' || !(value > 0 && value < 1)) {
    fail(fn, 'level', 'a number strictly between 0 and 1 (e.g. 0.95)', value);
  }
  return value;
}

/** A probability in the closed interval [0, 1]. */
export function checkProbability(fn: string, name: string, value: unknown): number {
  if (typeof value !== 'number' || !(value >= 0 && value <= 1)) fail(fn, name, 'a number between 0 and 1', value);
  return value;
}

/** Successes k of n trials: integers with n >= 1 and 0 <= k <= n. */
export function checkCounts(fn: string, k: unknown, n: unknown): void {
  checkInteger(fn, 'n', n, 1);
  if (typeof k !== 'number' || !Number.isInteger(k) || k < 0 || k > (n as number)) {
    fail(fn, 'k', `an integer with 0 <= k <= n (n = ${n as number})`, k);
  }
}

/** An array-like of finite numbers with at least `minLength` entries; returns a copy as number[]. */
export function checkSample(fn: string, name: string, values: unknown, minLength: number): number[] {
  if (values === null || typeof values !== 'object' || typeof (values as ArrayLike<number>).length !== 'number') {
    fail(fn, name, 'an array of numbers', values);
  }
  const arr = values as ArrayLike<unknown>;
  if (arr.length < minLength) {
    throw new Error(`${fn}: ${name} must have at least ${minLength} values, got ${arr.length}`);
  }
  const out = new Array<number>(arr.length);
  for (let i = 0; i < arr.length; i++) {
    const v = arr[i];
    if (typeof v !== 'number' || !Number.isFinite(v)) fail(fn, `${name}[${i}]`, 'a finite number', v);
    out[i] = v;
  }
  return out;
}
