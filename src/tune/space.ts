import type { HParamValue } from '../experiments/define.js';
import type { Condition, ParamSpec, Params, SearchSpace } from './types.js';

/**
 * Search spaces: builders, validation and conditional (active-parameter) resolution.
 *
 * @example
 * const space = {
 *   lr: float(1e-5, 1e-1, { log: true }),
 *   hidden: int(32, 512, { step: 32 }),
 *   optimizer: categorical(['adam', 'sgd']),
 *   momentum: float(0.5, 0.99, { when: { param: 'optimizer', equals: 'sgd' } }),
 *   epochs: fixed(3),
 * };
 */

export class SearchSpaceError extends Error {
  override name = 'SearchSpaceError';
}

export interface NumericOptions {
  /** Sample uniformly in log space (both bounds must be > 0). */
  log?: boolean;
  /** Quantize to low + k·step. */
  step?: number;
  when?: Condition;
}

/** A float hyperparameter in [low, high]. @example float(1e-5, 1e-1, { log: true }) */
export function float(low: number, high: number, options: NumericOptions = {}): ParamSpec {
  const spec: ParamSpec = { type: 'float', low, high, ...pickDefined(options) };
  checkParam('float', spec);
  return spec;
}

/** An integer hyperparameter in [low, high] (both included). @example int(32, 512, { step: 32 }) */
export function int(low: number, high: number, options: NumericOptions = {}): ParamSpec {
  const spec: ParamSpec = { type: 'int', low, high, ...pickDefined(options) };
  checkParam('int', spec);
  return spec;
}

/** One of a list of values. @example categorical(['adam', 'sgd']) */
export function categorical(choices: HParamValue[], options: { when?: Condition } = {}): ParamSpec {
  const spec: ParamSpec = { type: 'categorical', choices: [...choices], ...pickDefined(options) };
  checkParam('categorical', spec);
  return spec;
}

/** A value that is not searched but set for every trial. @example fixed(3) */
export function fixed(value: HParamValue, options: { when?: Condition } = {}): ParamSpec {
  const spec: ParamSpec = { type: 'fixed', value, ...pickDefined(options) };
  checkParam('fixed', spec);
  return spec;
}

/**
 * Makes `spec` conditional: it exists only when `param` equals `equals` (or one of them).
 * @example when('optimizer', 'sgd', float(0.5, 0.99))
 */
export function when(param: string, equals: HParamValue | HParamValue[], spec: ParamSpec): ParamSpec {
  return { ...spec, when: { param, equals } };
}

function pickDefined<T extends object>(o: T): Partial<T> {
  const out: Partial<T> = {};
  for (const [k, v] of Object.entries(o)) if (v !== undefined) (out as Record<string, unknown>)[k] = v;
  return out;
}

const isValue = (v: unknown): v is HParamValue =>
  (typeof v === 'number' && Number.isFinite(v)) || typeof v === 'string' || typeof v === 'boolean';

/** Checks one parameter on its own; `name` goes into the message. */
export function checkParam(name: string, spec: ParamSpec): void {
  const where = `search space: parameter '${name}'`;
  if (!spec || typeof spec !== 'object') throw new SearchSpaceError(`${where}: expected a parameter spec object`);
  switch (spec.type) {
    case 'float':
    case 'int': {
      const { low, high, log, step } = spec;
      if (typeof low !== 'number' || typeof high !== 'number' || !Number.isFinite(low) || !Number.isFinite(high)) {
        throw new SearchSpaceError(`${where}: low and high must be finite numbers, got ${String(low)} and ${String(high)}`);
      }
      if (spec.type === 'int' && (!Number.isInteger(low) || !Number.isInteger(high))) {
        throw new SearchSpaceError(`${where}: int bounds must be integers, got ${low} and ${high}`);
      }
      if (!(low < high) && !(spec.type === 'int' && low === high)) {
        throw new SearchSpaceError(`${where}: empty range [${low}, ${high}]: low must be below high`);
      }
      if (log !== undefined && typeof log !== 'boolean') throw new SearchSpaceError(`${where}: log must be true or false`);
      if (log && low <= 0) {
        throw new SearchSpaceError(`${where}: log scale needs positive bounds, got low = ${low}; use a linear scale or a positive low`);
      }
      if (step !== undefined) {
        if (typeof step !== 'number' || !(step > 0) || !Number.isFinite(step)) {
          throw new SearchSpaceError(`${where}: step must be a positive number, got ${String(step)}`);
        }
        if (spec.type === 'int' && !Number.isInteger(step)) throw new SearchSpaceError(`${where}: int step must be an integer, got ${step}`);
        if (log && spec.type === 'float') throw new SearchSpaceError(`${where}: step and log cannot be combined for a float; drop one`);
        if (log && step !== 1) throw new SearchSpaceError(`${where}: a log-scale int needs step 1, got ${step}`);
        if (step > high - low && high > low) throw new SearchSpaceError(`${where}: step ${step} is wider than the range [${low}, ${high}]`);
      }
      break;
    }
    case 'categorical':
      if (!Array.isArray(spec.choices) || spec.choices.length === 0) {
        throw new SearchSpaceError(`${where}: categorical needs a non-empty list of choices`);
      }
      for (const c of spec.choices) {
        if (!isValue(c)) throw new SearchSpaceError(`${where}: choices must be numbers, strings or booleans, got ${JSON.stringify(c)}`);
      }
      if (new Set(spec.choices.map((c) => JSON.stringify(c))).size !== spec.choices.length) {
        throw new SearchSpaceError(`${where}: choices contain a duplicate`);
      }
      break;
    case 'fixed':
      if (!isValue(spec.value)) throw new SearchSpaceError(`${where}: fixed value must be a number, string or boolean, got ${JSON.stringify(spec.value)}`);
      break;
    default:
      throw new SearchSpaceError(`${where}: unknown type '${String((spec as { type: unknown }).type)}'; use float, int, categorical or fixed`);
  }
  if (spec.when !== undefined) {
    const w = spec.when;
    if (!w || typeof w.param !== 'string') throw new SearchSpaceError(`${where}: when needs { param, equals }`);
    const eq = Array.isArray(w.equals) ? w.equals : [w.equals];
    if (eq.length === 0 || !eq.every(isValue)) throw new SearchSpaceError(`${where}: when.equals must be a value or a non-empty list of values`);
  }
}

/**
 * Validates a whole space: every parameter, and every condition names an existing parameter,
 * asks for a value that parameter can take, and no conditions form a cycle.
 * With `hparams`, also that every parameter is a hyperparameter of the experiment.
 */
export function validateSpace(space: SearchSpace, hparams?: Record<string, HParamValue>): void {
  if (!space || typeof space !== 'object' || Array.isArray(space)) throw new SearchSpaceError('search space: expected an object of parameter specs');
  const names = Object.keys(space);
  if (names.length === 0) throw new SearchSpaceError('search space: no parameters; add at least one');
  for (const name of names) checkParam(name, space[name]);
  if (hparams) {
    const known = Object.keys(hparams);
    for (const name of names) {
      if (!(name in hparams)) {
        throw new SearchSpaceError(`search space: unknown hyperparameter '${name}'; the experiment has ${known.join(', ') || 'none'}`);
      }
    }
  }
  for (const name of names) {
    const w = space[name].when;
    if (!w) continue;
    const parent = space[w.param];
    if (!parent) throw new SearchSpaceError(`search space: parameter '${name}' depends on '${w.param}', which is not in the space`);
    if (w.param === name) throw new SearchSpaceError(`search space: parameter '${name}' depends on itself`);
    const eq = Array.isArray(w.equals) ? w.equals : [w.equals];
    for (const v of eq) {
      if (!canTake(parent, v)) {
        throw new SearchSpaceError(`search space: parameter '${name}' depends on '${w.param}' = ${JSON.stringify(v)}, a value '${w.param}' never takes`);
      }
    }
  }
  orderParams(space); // throws on cycles
}

function canTake(spec: ParamSpec, v: HParamValue): boolean {
  switch (spec.type) {
    case 'categorical': return spec.choices.some((c) => c === v);
    case 'fixed': return spec.value === v;
    case 'int': return typeof v === 'number' && Number.isInteger(v) && v >= spec.low && v <= spec.high;
    case 'float': return typeof v === 'number' && v >= spec.low && v <= spec.high;
  }
}

/** Parameter names with every parent before its children (declaration order otherwise). */
export function orderParams(space: SearchSpace): string[] {
  const order: string[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (name: string, path: string[]): void => {
    const s = state.get(name);
    if (s === 'done') return;
    if (s === 'visiting') throw new SearchSpaceError(`search space: conditions form a cycle: ${[...path, name].join(' -> ')}`);
    state.set(name, 'visiting');
    const parent = space[name].when?.param;
    if (parent !== undefined && space[parent]) visit(parent, [...path, name]);
    state.set(name, 'done');
    order.push(name);
  };
  for (const name of Object.keys(space)) visit(name, []);
  return order;
}

/** Whether `spec`'s condition holds given the parameters chosen so far (its parent must be active). */
export function conditionHolds(spec: ParamSpec, chosen: Params): boolean {
  const w = spec.when;
  if (!w) return true;
  if (!(w.param in chosen)) return false;
  const eq = Array.isArray(w.equals) ? w.equals : [w.equals];
  return eq.some((v) => v === chosen[w.param]);
}

/**
 * Resolves which parameters are active and their values: `pick(name, spec)` chooses a value for
 * each active parameter in dependency order; inactive ones are left out of the result.
 */
export function resolveActive(space: SearchSpace, pick: (name: string, spec: ParamSpec) => HParamValue): Params {
  const out: Params = {};
  for (const name of orderParams(space)) {
    const spec = space[name];
    if (conditionHolds(spec, out)) out[name] = spec.type === 'fixed' ? spec.value : pick(name, spec);
  }
  return out;
}

/** The names active in a given parameter set (for checking a trial against its space). */
export function activeNames(space: SearchSpace, params: Params): string[] {
  return orderParams(space).filter((n) => n in params && conditionHolds(space[n], params));
}

export const hasConditionals = (space: SearchSpace): boolean => Object.values(space).some((s) => s.when !== undefined);
export const hasCategoricals = (space: SearchSpace): boolean => Object.values(space).some((s) => s.type === 'categorical');

/**
 * Parses a JSON search-space file. Each key is a hyperparameter; its value is one of
 *   { "type": "float", "low": 1e-5, "high": 0.1, "log": true }
 *   { "type": "int", "low": 32, "high": 512, "step": 32 }
 *   { "type": "categorical", "choices": ["adam", "sgd"] }
 *   { "type": "fixed", "value": 3 }
 * and any of them may carry "when": { "param": "optimizer", "equals": "sgd" } (or a list).
 * Shorthands: a bare number, string or boolean is fixed; a bare array is categorical.
 * Validated like a space built in code (and against `hparams` when given).
 */
export function parseSpaceJson(text: string, hparams?: Record<string, HParamValue>, source = 'space file'): SearchSpace {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new SearchSpaceError(`${source}: not valid JSON (${(e as Error).message})`);
  }
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) {
    throw new SearchSpaceError(`${source}: expected a JSON object mapping hyperparameter names to specs`);
  }
  const space: SearchSpace = {};
  for (const [name, v] of Object.entries(raw as Record<string, unknown>)) {
    if (Array.isArray(v)) space[name] = { type: 'categorical', choices: v as HParamValue[] };
    else if (v === null || typeof v !== 'object') space[name] = { type: 'fixed', value: v as HParamValue };
    else {
      const known = new Set(['type', 'low', 'high', 'log', 'step', 'choices', 'value', 'when']);
      for (const k of Object.keys(v)) {
        if (!known.has(k)) throw new SearchSpaceError(`${source}: parameter '${name}' has an unknown field '${k}'`);
      }
      space[name] = v as ParamSpec;
    }
  }
  try {
    validateSpace(space, hparams);
  } catch (e) {
    throw new SearchSpaceError(`${source}: ${(e as Error).message.replace(/^search space: /, '')}`);
  }
  return space;
}
