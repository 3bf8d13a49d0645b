/** Tick labels that stay distinct for small values (a learning rate of 1e-3 decaying to 0). */
export function tickLabel(v: number): string {
  if (v === 0) return '0';
  const a = Math.abs(v);
  return a >= 1e5 || a < 1e-2 ? v.toExponential(1) : String(Number(v.toPrecision(4)));
}
