import type { Tensor } from './tensor.js';

/** PyTorch-like printing: nested brackets, aligned columns, summarized when large. */
export function formatTensor(t: Tensor, edgeItems = 3, threshold = 1000): string {
  const summarize = t.size > threshold;
  const isInt = t.dtype === 'int32';
  const finite = Array.from(t.data).filter(Number.isFinite);
  const allIntegral = finite.every(Number.isInteger);
  const maxAbs = finite.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
  const minAbs = finite.filter((v) => v !== 0).reduce((m, v) => Math.min(m, Math.abs(v)), Infinity);
  const scientific = !isInt && (maxAbs >= 1e8 || (minAbs < 1e-4 && minAbs !== Infinity));
  const fmt = (v: number): string => {
    if (Number.isNaN(v)) return 'nan';
    if (!Number.isFinite(v)) return v > 0 ? 'inf' : '-inf';
    if (isInt) return String(v);
    if (scientific) return v.toExponential(4);
    return allIntegral ? `${v}.` : v.toFixed(4);
  };
  const cells = Array.from(t.data, fmt);
  const width = cells.reduce((m, c) => Math.max(m, c.length), 0);
  const pad = (s: string) => s.padStart(width);
  const strides: number[] = [];
  let s = 1;
  for (let i = t.shape.length - 1; i >= 0; i--) { strides[i] = s; s *= t.shape[i]; }
  const indent = 'tensor('.length;
  const build = (dim: number, off: number): string => {
    if (t.shape.length === 0) return cells[0];
    const n = t.shape[dim];
    const idx = summarize && n > 2 * edgeItems
      ? [...Array(edgeItems).keys(), -1, ...Array.from({ length: edgeItems }, (_, i) => n - edgeItems + i)]
      : [...Array(n).keys()];
    if (dim === t.shape.length - 1) {
      return '[' + idx.map((i) => (i < 0 ? '...' : pad(cells[off + i]))).join(', ') + ']';
    }
    const sep = ',' + '\n'.repeat(t.shape.length - dim - 1) + ' '.repeat(indent + dim + 1);
    return '[' + idx.map((i) => (i < 0 ? '...' : build(dim + 1, off + i * strides[dim]))).join(sep) + ']';
  };
  const extras: string[] = [];
  if (isInt) extras.push("dtype='int32'");
  if (t.gradFn) extras.push(`gradFn=<${t.gradFn.op}>`);
  else if (t.requiresGrad) extras.push('requiresGrad=true');
  return `tensor(${build(0, 0)}${extras.length ? ', ' + extras.join(', ') : ''})`;
}
