// A small command-line flag parser: --flag value, --flag=value, boolean switches (--x, --no-x,
// --x=false), repeatable list flags (--set k=v --set k2=v2), `--` to end flags. Every mistake
// is a UsageError with a one-line message naming the flag, the value and what is allowed.

/** A command-line mistake; the CLI prints its message (one line) and exits non-zero. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** How one flag is parsed. `min`/`max` apply to number and int flags, `choices` to string and list flags. */
export interface FlagSpec {
  type: 'string' | 'number' | 'int' | 'boolean' | 'list';
  default?: string | number | boolean | readonly string[];
  help: string;
  choices?: readonly string[];
  min?: number;
  max?: number;
  /** A one-letter alias, e.g. 'h' for -h. */
  short?: string;
}

/** Flags by name as typed after `--` (e.g. 'batch-size'). */
export type FlagsSpec = Record<string, FlagSpec>;

/** A positional argument, in order; required ones must come before optional ones. */
export interface PositionalSpec {
  name: string;
  required: boolean;
  help?: string;
}

type ValueOf<S extends FlagSpec> =
  S['type'] extends 'string' ? string
    : S['type'] extends 'number' | 'int' ? number
      : S['type'] extends 'boolean' ? boolean
        : string[];

/** Parsed flag values: booleans default to false and lists to [], other flags without a default may be undefined. */
export type ParsedFlags<T extends FlagsSpec> = {
  -readonly [K in keyof T]: T[K] extends { default: unknown } ? ValueOf<T[K]>
    : T[K]['type'] extends 'boolean' | 'list' ? ValueOf<T[K]> : ValueOf<T[K]> | undefined;
};

/** The result of {@link parseArgs}. */
export interface ParsedArgs<T extends FlagsSpec> {
  flags: ParsedFlags<T>;
  positionals: Record<string, string | undefined>;
}

/** Optimal-string-alignment edit distance (insertions, deletions, substitutions, adjacent swaps). */
export function editDistance(a: string, b: string): number {
  const m = a.length, n = b.length;
  let prev2: number[] = [];
  let prev = Array.from({ length: n + 1 }, (_, j) => j);
  for (let i = 1; i <= m; i++) {
    const cur = [i];
    for (let j = 1; j <= n; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let d = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d = Math.min(d, prev2[j - 2] + 1);
      cur.push(d);
    }
    prev2 = prev;
    prev = cur;
  }
  return prev[n];
}

/** The candidate closest to `word` if it is plausibly a typo of it, else undefined. */
export function closestMatch(word: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestD = Infinity;
  for (const c of candidates) {
    const d = editDistance(word.toLowerCase(), c.toLowerCase());
    if (d < bestD) { bestD = d; best = c; }
  }
  if (best === undefined) return undefined;
  const limit = Math.max(1, Math.floor(Math.max(word.length, best.length) / 3));
  const prefix = word.length >= 3 && best.startsWith(word);
  return bestD <= limit || prefix ? best : undefined;
}

const NUMBER_RE = /^[+-]?(\d+(\.\d*)?|\.\d+)(e[+-]?\d+)?$/i;

/** Parses a decimal number (no hex, no Infinity/NaN, no empty string); undefined if it is not one. */
function parseNumber(text: string): number | undefined {
  if (!NUMBER_RE.test(text)) return undefined;
  const x = Number(text);
  return Number.isFinite(x) ? x : undefined;
}

function describeAllowed(spec: FlagSpec): string {
  switch (spec.type) {
    case 'int': return range(spec, 'a whole number');
    case 'number': return range(spec, 'a number');
    case 'boolean': return 'true or false';
    default: return spec.choices ? `one of ${spec.choices.join(', ')}` : 'a value';
  }
}

function range(spec: FlagSpec, kind: string): string {
  if (spec.min !== undefined && spec.max !== undefined) return `${kind} from ${spec.min} to ${spec.max}`;
  if (spec.min !== undefined) return `${kind} >= ${spec.min}`;
  if (spec.max !== undefined) return `${kind} <= ${spec.max}`;
  return kind;
}

function example(name: string, spec: FlagSpec): string {
  switch (spec.type) {
    case 'int': return `--${name} ${spec.default ?? spec.min ?? 1}`;
    case 'number': return `--${name} ${spec.default ?? spec.min ?? 0.5}`;
    case 'list': return name === 'set' ? '--set key=value' : `--${name} ${spec.choices?.[0] ?? 'value'}`;
    default: return `--${name} ${spec.choices?.[0] ?? (typeof spec.default === 'string' ? spec.default : 'value')}`;
  }
}

function convert(name: string, spec: FlagSpec, raw: string): string | number | boolean {
  const bad = (why: string) => new UsageError(`--${name} ${why} (got ${JSON.stringify(raw)}); expected ${describeAllowed(spec)}, e.g. ${example(name, spec)}`);
  if (spec.type === 'number' || spec.type === 'int') {
    const x = parseNumber(raw.trim());
    if (x === undefined) throw bad('is not a number');
    if (spec.type === 'int' && !Number.isSafeInteger(x)) throw bad('must be a whole number');
    if (spec.min !== undefined && x < spec.min) throw bad(`must be at least ${spec.min}`);
    if (spec.max !== undefined && x > spec.max) throw bad(`must be at most ${spec.max}`);
    return x;
  }
  if (spec.type === 'boolean') {
    const v = raw.toLowerCase();
    if (v === 'true' || v === '1' || v === 'yes') return true;
    if (v === 'false' || v === '0' || v === 'no') return false;
    throw new UsageError(`--${name} is a switch: use --${name} or --no-${name} (or --${name}=true/false), not --${name}=${raw}`);
  }
  if (spec.choices && !spec.choices.includes(raw)) {
    const near = closestMatch(raw, spec.choices);
    throw new UsageError(`--${name} ${JSON.stringify(raw)} is not allowed; choose one of ${spec.choices.join(', ')}` +
      (near ? ` (did you mean ${near}?)` : ''));
  }
  return raw;
}

/** Does `token` look like a flag rather than a value? (Negative numbers and a lone '-' are values.) */
function looksLikeFlag(token: string): boolean {
  return token.startsWith('-') && token !== '-' && parseNumber(token) === undefined;
}

/**
 * Parses command-line arguments against a flag spec and a list of positionals.
 * Returns flag values (defaults filled in; boolean flags default to false, lists to []) and
 * positionals by name. Throws UsageError for unknown flags (suggesting the closest known one),
 * missing or malformed values, values outside `choices`/`min`/`max`, missing required
 * positionals, and surplus arguments.
 */
export function parseArgs<const T extends FlagsSpec>(
  argv: readonly string[], spec: T, positionals: readonly PositionalSpec[] = [],
): ParsedArgs<T> {
  const names = Object.keys(spec);
  const shorts = new Map<string, string>();
  for (const n of names) if (spec[n].short) shorts.set(spec[n].short!, n);

  const flags: Record<string, unknown> = {};
  for (const n of names) {
    const s = spec[n];
    if (s.default !== undefined) flags[n] = Array.isArray(s.default) ? s.default.slice() : s.default;
    else if (s.type === 'boolean') flags[n] = false;
    else if (s.type === 'list') flags[n] = [];
  }
  const listsSeen = new Set<string>();
  const given: string[] = [];

  const unknown = (token: string, bare: string): UsageError => {
    const near = closestMatch(bare, names);
    const known = names.map((n) => `--${n}`).join(', ');
    return new UsageError(`unknown flag ${token}` + (near ? `; did you mean --${near}?` : `; known flags: ${known || '(none)'}`));
  };

  let onlyPositionals = false;
  for (let i = 0; i < argv.length; i++) {
    const token = argv[i];
    if (onlyPositionals || !looksLikeFlag(token)) {
      given.push(token);
      continue;
    }
    if (token === '--') { onlyPositionals = true; continue; }

    let name: string;
    let inline: string | undefined;
    if (token.startsWith('--')) {
      const eq = token.indexOf('=');
      name = eq >= 0 ? token.slice(2, eq) : token.slice(2);
      inline = eq >= 0 ? token.slice(eq + 1) : undefined;
    } else {
      const letter = token.slice(1, 2);
      const long = shorts.get(letter);
      if (long === undefined || (token.length > 2 && token[2] !== '=')) throw unknown(token, token.replace(/^-+/, ''));
      name = long;
      inline = token.length > 2 ? token.slice(3) : undefined;
    }

    const s = spec[name] as FlagSpec | undefined;
    if (s === undefined || !Object.prototype.hasOwnProperty.call(spec, name)) {
      const positive = name.startsWith('no-') ? name.slice(3) : undefined;
      if (positive !== undefined && spec[positive]?.type === 'boolean' && Object.prototype.hasOwnProperty.call(spec, positive)) {
        if (inline !== undefined) throw new UsageError(`--${name} takes no value (got --${name}=${inline}); use --${name} or --${positive}=${inline}`);
        flags[positive] = false;
        continue;
      }
      throw unknown(`--${name}`, name);
    }

    if (s.type === 'boolean') {
      flags[name] = inline === undefined ? true : convert(name, s, inline);
      continue;
    }
    let raw = inline;
    if (raw === undefined) {
      const next = argv[i + 1];
      if (next === undefined || looksLikeFlag(next)) {
        throw new UsageError(`--${name} needs a value (${describeAllowed(s)}), e.g. ${example(name, s)}` +
          (next === undefined ? '' : `; got the flag ${next} instead`));
      }
      raw = next;
      i++;
    }
    if (s.type === 'list') {
      if (!listsSeen.has(name)) { flags[name] = []; listsSeen.add(name); } // given values replace the default
      (flags[name] as string[]).push(convert(name, s, raw) as string);
    } else {
      if (raw === '' && s.type === 'string') {
        throw new UsageError(`--${name} needs a non-empty value (${describeAllowed(s)}), e.g. ${example(name, s)}`);
      }
      flags[name] = convert(name, s, raw);
    }
  }

  const out: Record<string, string | undefined> = {};
  for (let k = 0; k < positionals.length; k++) {
    const p = positionals[k];
    if (k < given.length) out[p.name] = given[k];
    else if (p.required) {
      const usage = positionals.map((q) => (q.required ? `<${q.name}>` : `[${q.name}]`)).join(' ');
      throw new UsageError(`missing <${p.name}>${p.help ? ` (${p.help})` : ''}; usage: ${usage} [flags]`);
    } else out[p.name] = undefined;
  }
  if (given.length > positionals.length) {
    const extra = given[positionals.length];
    const asFlag = closestMatch(extra, names);
    throw new UsageError(`unexpected argument ${JSON.stringify(extra)}` +
      (positionals.length ? ` (this command takes ${positionals.map((p) => `<${p.name}>`).join(' ')})` : ' (this command takes no positional arguments)') +
      (asFlag && extra.length > 1 ? `; did you mean --${asFlag}?` : ''));
  }
  return { flags: flags as ParsedFlags<T>, positionals: out };
}

const KEY_RE = /^[A-Za-z_][\w.-]*$/;

/**
 * Parses `--set key=value` entries into an overrides object: decimal numbers become numbers,
 * true/false become booleans, anything else (or a value in quotes, to force a string) stays a
 * string. Throws UsageError for an entry without '=', an invalid or repeated key, or no value.
 */
export function parseSetOverrides(list: readonly string[]): Record<string, number | string | boolean> {
  const out: Record<string, number | string | boolean> = {};
  for (const entry of list) {
    const eq = entry.indexOf('=');
    if (eq < 0) throw new UsageError(`--set ${JSON.stringify(entry)} has no '='; write --set key=value, e.g. --set lr=0.001`);
    const key = entry.slice(0, eq).trim();
    const text = entry.slice(eq + 1).trim();
    if (!KEY_RE.test(key)) {
      throw new UsageError(`--set ${JSON.stringify(entry)}: ${key ? `${JSON.stringify(key)} is not a valid key` : 'the key is empty'}; ` +
        'keys are names like lr, batchSize or optimizer.momentum, e.g. --set lr=0.001');
    }
    if (text === '') throw new UsageError(`--set ${JSON.stringify(entry)} has no value after '='; write --set ${key}=value`);
    if (Object.prototype.hasOwnProperty.call(out, key)) {
      throw new UsageError(`--set ${key} is given twice (${JSON.stringify(String(out[key]))} and ${JSON.stringify(text)}); keep one`);
    }
    let value: number | string | boolean;
    const quoted = /^(["']).*\1$/s.test(text) && text.length >= 2;
    if (quoted) value = text.slice(1, -1);
    else if (text === 'true') value = true;
    else if (text === 'false') value = false;
    else value = parseNumber(text) ?? text;
    Object.defineProperty(out, key, { value, enumerable: true, writable: true, configurable: true });
  }
  return out;
}

/** Formats the flags of a spec as aligned help lines: `  --lr <number>   learning rate (default 0.001)`. */
export function formatFlagHelp(spec: FlagsSpec): string {
  const rows = Object.entries(spec).map(([name, s]) => {
    const arg = s.type === 'boolean' ? '' : s.choices ? ` <${s.choices.join('|')}>` : ` <${s.type === 'list' ? 'value' : s.type}>`;
    const left = `  ${s.short ? `-${s.short}, ` : ''}--${name}${arg}`;
    const def = s.default !== undefined && !(Array.isArray(s.default) && s.default.length === 0)
      ? ` (default ${Array.isArray(s.default) ? s.default.join(', ') : String(s.default)})` : '';
    const rep = s.type === 'list' ? ' (repeatable)' : '';
    return [left, `${s.help}${def}${rep}`];
  });
  const width = Math.max(0, ...rows.map(([l]) => l.length));
  return rows.map(([l, r]) => `${l.padEnd(width)}   ${r}`).join('\n');
}
