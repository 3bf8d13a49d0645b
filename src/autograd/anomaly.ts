import type { Tensor } from '../tensor/tensor.js';
import type { GradNode } from './node.js';

/**
 * Anomaly mode: every op checks its output (and, in backward, the gradients it produces) for
 * NaN or Inf and throws at the first one, naming the op, its input shapes and the user's
 * source line that called it. Off by default because it records a stack per op.
 */
let anomalyDepth = 0;

export function isAnomalyEnabled(): boolean {
  return anomalyDepth > 0;
}

export class AnomalyError extends Error {
  override name = 'AnomalyError';
  constructor(message: string, readonly op: string, readonly inputShapes: number[][], readonly userFrame: string | undefined) {
    super(message);
  }
}

/** Runs fn (sync or async) with anomaly detection on. */
export function detectAnomaly<T>(fn: () => T): T {
  anomalyDepth++;
  let result: T;
  try {
    result = fn();
  } catch (e) {
    anomalyDepth--;
    throw e;
  }
  if (result instanceof Promise) {
    return result.finally(() => { anomalyDepth--; }) as T;
  }
  anomalyDepth--;
  return result;
}

/**
 * Runs one gradient rule. The ops inside it are not checked as forward ops: checkBackward judges
 * the rule's result as a whole and names the op whose gradient it is ('sqrt'), where a forward
 * check would blame an internal 'div' the user never called.
 */
let inGradientRule = 0;
export function runGradientRule<T>(fn: () => T): T {
  inGradientRule++;
  try {
    return fn();
  } finally {
    inGradientRule--;
  }
}

export function isForwardCheckEnabled(): boolean {
  return anomalyDepth > 0 && inGradientRule === 0;
}

/** Turns anomaly mode on or off for the rest of the process (the CLI's --detect-anomaly). */
export function setDetectAnomaly(on: boolean): void {
  anomalyDepth = on ? Math.max(anomalyDepth, 1) : 0;
}

const libraryRoot = (() => {
  const url = import.meta.url;
  const i = url.lastIndexOf('/autograd/');
  return i >= 0 ? url.slice(0, i + 1).replace(/^file:\/\//, '') : '';
})();

/** The first stack frame outside the library (built-in experiments count as user code). */
export function userFrame(stack: string | undefined): string | undefined {
  if (!stack) return undefined;
  for (const line of stack.split('\n').slice(1)) {
    const frame = line.trim().replace(/^at\s+/, '');
    if (frame.includes('node:internal') || frame.startsWith('node:')) continue;
    const inLibrary = libraryRoot !== '' && frame.includes(libraryRoot) && !frame.includes(`${libraryRoot}experiments/`);
    if (!inLibrary) return frame;
  }
  return undefined;
}

function firstNonFinite(t: Tensor): number {
  const d = t.data;
  for (let i = 0; i < d.length; i++) if (!Number.isFinite(d[i])) return i;
  return -1;
}

function describeShapes(inputs: readonly Tensor[]): string {
  return inputs.map((t) => `(${t.shape.join(', ')})`).join(', ');
}

export function checkForward(op: string, inputs: readonly Tensor[], out: Tensor, stack: string | undefined): void {
  const i = firstNonFinite(out);
  if (i < 0) return;
  const inputsBad = inputs.some((t) => firstNonFinite(t) >= 0);
  if (inputsBad) return; // the op that made the first non-finite value already reported it, or it came from data
  const where = userFrame(stack);
  const shapes = inputs.map((t) => [...t.shape]);
  throw new AnomalyError(
    `anomaly: '${op}' produced ${out.data[i]} at flat index ${i} of its output ${'(' + out.shape.join(', ') + ')'} ` +
    `from finite inputs of shapes ${describeShapes(inputs)}` + (where ? `, called at ${where}` : '') +
    '. Check the input range of this op (log of 0, division by 0, overflow of exp).',
    op, shapes, where,
  );
}

export function checkBackward(node: GradNode, grads: ReadonlyArray<Tensor | null>, upstream: Tensor): void {
  if (firstNonFinite(upstream) >= 0) return;
  for (let k = 0; k < grads.length; k++) {
    const g = grads[k];
    if (!g) continue;
    const i = firstNonFinite(g);
    if (i < 0) continue;
    const where = userFrame(node.stack);
    const shapes = node.inputs.map((t) => [...t.shape]);
    throw new AnomalyError(
      `anomaly: the backward of '${node.op}' produced ${g.data[i]} in the gradient of input ${k} ` +
      `(inputs of shapes ${describeShapes(node.inputs)}) from a finite upstream gradient` +
      (where ? `; the op was called at ${where}` : '') +
      '. Typical causes: sqrt or log at 0, division by a tiny number, a where() whose unused branch overflows.',
      node.op, shapes, where,
    );
  }
}
