// A sortable table: click a header to sort by it (again to reverse).
import type { TableColumn, TableOptions } from './page-ui.js';

function compare(a: unknown, b: unknown): number {
  if (a === b) return 0;
  if (a === undefined || a === null || a === '') return 1;
  if (b === undefined || b === null || b === '') return -1;
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  return String(a).localeCompare(String(b), undefined, { numeric: true });
}

export function createTable(columns: TableColumn[], rows: Array<Record<string, unknown>>, o: TableOptions = {}): HTMLElement {
  const table = document.createElement('table');
  table.className = 'data';
  let sortKey = o.sortKey;
  let descending = o.sortDescending ?? false;
  const draw = (): void => {
    table.replaceChildren();
    const head = table.createTHead().insertRow();
    for (const c of columns) {
      const th = document.createElement('th');
      th.textContent = c.label + (c.key === sortKey ? (descending ? ' ▼' : ' ▲') : '');
      th.dataset.key = c.key;
      if (c.numeric) th.className = 'num';
      th.addEventListener('click', () => {
        descending = sortKey === c.key ? !descending : false;
        sortKey = c.key;
        o.onSort?.(sortKey, descending);
        draw();
      });
      head.append(th);
    }
    const sorted = sortKey ? [...rows].sort((a, b) => compare(a[sortKey!], b[sortKey!]) * (descending ? -1 : 1)) : rows;
    const body = table.createTBody();
    for (const row of sorted) {
      const tr = body.insertRow();
      const cls = o.rowClass?.(row);
      if (cls) tr.className = cls;
      for (const c of columns) {
        const td = tr.insertCell();
        if (c.numeric) td.className = 'num';
        const v = row[c.key];
        const shown = c.format ? c.format(v, row) : v === undefined || v === null ? '' : typeof v === 'object' ? JSON.stringify(v) : String(v);
        if (typeof shown === 'string') td.textContent = shown;
        else td.append(shown);
      }
    }
  };
  draw();
  return table;
}
