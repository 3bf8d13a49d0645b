// Plain-text tables for CLI output.

/**
 * Formats rows as an aligned plain-text table with a header and a dashed rule under it.
 * Numbers are right-aligned, strings left-aligned; a column's header is right-aligned when
 * all its cells are numbers. Columns are separated by two spaces; trailing spaces are trimmed.
 * Throws if a row has more cells than the header (missing cells are left blank).
 */
export function formatTable(rows: readonly (readonly (string | number)[])[], header: readonly string[]): string {
  const ncol = header.length;
  rows.forEach((row, r) => {
    if (row.length > ncol) {
      throw new Error(`formatTable: row ${r} has ${row.length} cells but the header has ${ncol} columns (${header.join(', ')})`);
    }
  });
  const text = (v: string | number | undefined) => (v === undefined ? '' : String(v).replace(/\r?\n/g, ' '));
  const numericColumn = header.map((_, c) =>
    rows.length > 0 && rows.every((row) => row[c] === undefined || typeof row[c] === 'number'));
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((row) => text(row[c]).length)));
  const render = (cells: string[], right: boolean[]) =>
    cells.map((cell, c) => (right[c] ? cell.padStart(widths[c]) : cell.padEnd(widths[c]))).join('  ').trimEnd();
  const lines = [
    render(header.map((h) => h), numericColumn),
    render(widths.map((w) => '-'.repeat(w)), numericColumn),
    ...rows.map((row) => render(header.map((_, c) => text(row[c])), header.map((_, c) => typeof row[c] === 'number'))),
  ];
  return lines.join('\n');
}
