/** Shape arithmetic and the errors that explain a shape mistake. */
export type Shape = readonly number[];

export class ShapeError extends Error {
  override name = 'ShapeError';
}

export function numel(shape: Shape): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

export function contiguousStrides(shape: Shape): number[] {
  const strides = new Array<number>(shape.length);
  let s = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    strides[i] = s;
    s *= shape[i];
  }
  return strides;
}

export function formatShape(shape: Shape): string {
  return `(${shape.join(', ')}${shape.length === 1 ? ',' : ''})`;
}

export function sameShape(a: Shape, b: Shape): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** NumPy broadcasting: align from the right; each pair of sizes must match or one must be 1. */
export function broadcastShapes(op: string, a: Shape, b: Shape): number[] {
  const n = Math.max(a.length, b.length);
  const out = new Array<number>(n);
  for (let i = 0; i < n; i++) {
    const da = i < n - a.length ? 1 : a[i - (n - a.length)];
    const db = i < n - b.length ? 1 : b[i - (n - b.length)];
    if (da !== db && da !== 1 && db !== 1) {
      throw new ShapeError(
        `${op}: shapes ${formatShape(a)} and ${formatShape(b)} cannot broadcast: dimension ${i} ` +
        `(from the left, after right-alignment) has sizes ${da} and ${db}; sizes must match or one must be 1`,
      );
    }
    out[i] = da === 1 ? db : da;
  }
  return out;
}

/** Strides of a contiguous tensor of `shape` when viewed as the broadcast shape `target` (0 on broadcast dims). */
export function broadcastStrides(shape: Shape, target: Shape): number[] {
  const strides = contiguousStrides(shape);
  const out = new Array<number>(target.length).fill(0);
  const off = target.length - shape.length;
  for (let i = 0; i < shape.length; i++) out[i + off] = shape[i] === 1 ? 0 : strides[i];
  return out;
}

/** Resolves a possibly negative axis, naming the op and the rank when it is out of range. */
export function normalizeAxis(op: string, axis: number, rank: number): number {
  const r = Math.max(rank, 1);
  if (!Number.isInteger(axis) || axis < -r || axis >= r) {
    throw new ShapeError(`${op}: dim ${axis} is out of range for a tensor of rank ${rank} (valid: ${-r} to ${r - 1})`);
  }
  return axis < 0 ? axis + r : axis;
}

export function checkShapeArg(op: string, shape: Shape): void {
  for (const d of shape) {
    if (!Number.isInteger(d) || d < 0) {
      throw new ShapeError(`${op}: shape ${formatShape(shape)} has an invalid size ${d}; sizes must be non-negative integers`);
    }
  }
}
