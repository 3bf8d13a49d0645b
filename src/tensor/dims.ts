import { ShapeError, formatShape, type Shape } from './shape.js';

/**
 * Named shape assertions. `x.dims('b c h w')` checks the rank and returns the sizes; a name
 * seen twice must have the same size, within one call and, inside `dimScope(fn)`, across
 * every call in fn. A number pins a size (`'b 1 28 28'`); `_` accepts anything.
 */
const scopes: Array<Map<string, number>> = [];

export function dimScope<T>(fn: () => T): T {
  scopes.push(new Map());
  try {
    return fn();
  } finally {
    scopes.pop();
  }
}

export function bindDims(shape: Shape, pattern: string): number[] {
  const names = pattern.trim().split(/\s+/).filter(Boolean);
  if (names.length !== shape.length) {
    throw new ShapeError(`dims('${pattern}'): expected rank ${names.length} but the tensor has shape ${formatShape(shape)} (rank ${shape.length})`);
  }
  const local = new Map<string, number>();
  const scope = scopes[scopes.length - 1];
  names.forEach((name, i) => {
    const size = shape[i];
    if (name === '_') return;
    if (/^\d+$/.test(name)) {
      if (Number(name) !== size) {
        throw new ShapeError(`dims('${pattern}'): dimension ${i} must be ${name} but is ${size} in shape ${formatShape(shape)}`);
      }
      return;
    }
    const known = local.get(name) ?? scope?.get(name);
    if (known !== undefined && known !== size) {
      const where = local.has(name) ? 'earlier in this pattern' : 'earlier in this dimScope';
      throw new ShapeError(`dims('${pattern}'): '${name}' is ${size} at dimension ${i} of shape ${formatShape(shape)} but was bound to ${known} ${where}`);
    }
    local.set(name, size);
    scope?.set(name, size);
  });
  return [...shape];
}
