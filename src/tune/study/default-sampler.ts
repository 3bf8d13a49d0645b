import type { ParamSpec, Params, Sampler, SearchSpace } from '../types.js';

/** Whether a conditional parameter is active given the parameters drawn so far. */
export function isActive(spec: ParamSpec, params: Params): boolean {
  if (!spec.when) return true;
  const allowed = Array.isArray(spec.when.equals) ? spec.when.equals : [spec.when.equals];
  return spec.when.param in params && allowed.includes(params[spec.when.param]);
}

/** One independent uniform draw from a parameter's distribution (log-uniform when `log`). */
export function drawParam(spec: ParamSpec, u: number): Params[string] {
  switch (spec.type) {
    case 'fixed': return spec.value;
    case 'categorical': return spec.choices[Math.min(spec.choices.length - 1, Math.floor(u * spec.choices.length))];
    case 'float':
    case 'int': {
      const lo = spec.log ? Math.log(spec.low) : spec.low, hi = spec.log ? Math.log(spec.high) : spec.high;
      let x = lo + u * (hi - lo);
      if (spec.log) x = Math.exp(x);
      if (spec.type === 'int' || spec.step) {
        const step = spec.step ?? 1;
        x = spec.low + Math.round((x - spec.low) / step) * step;
        x = Math.min(spec.high, Math.max(spec.low, x));
      }
      return x;
    }
  }
}

/** Draws every active parameter, parents before the parameters that depend on them. */
export function drawSpace(space: SearchSpace, next: () => number): Params {
  const params: Params = {};
  const pending = Object.entries(space);
  for (let pass = 0; pending.length && pass <= Object.keys(space).length; pass++) {
    for (let i = 0; i < pending.length; i++) {
      const [name, spec] = pending[i];
      if (spec.when && !(spec.when.param in params) && pending.some(([n]) => n === spec.when!.param)) continue;
      if (isActive(spec, params)) params[name] = drawParam(spec, next());
      pending.splice(i--, 1);
    }
  }
  return params;
}

/**
 * Independent uniform sampling: the study's fallback when no sampler is given. The full set
 * (grid, Sobol, TPE, GP, auto) lives in src/tune/samplers.
 */
export function defaultSampler(): Sampler {
  return {
    name: 'random',
    sample: async (space, _trials, ctx) => ({ params: drawSpace(space, ctx.random) }),
  };
}
