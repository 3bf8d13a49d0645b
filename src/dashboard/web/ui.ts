// The PageUi a page renders with: API calls (HTTP in the live dashboard, direct calls against
// the embedded store in a report), elements, charts, tables, and live updates that stop when
// the page is left (event sources closed, timers cleared).
import type { PageDef } from '../page.js';
import type { StaticStore } from '../static-store.js';
import type { PageUi } from './page-ui.js';
import { createChart } from './chart.js';
import { createTable } from './table.js';

export interface Mounted { ui: PageUi; dispose(): void }

export function createPageUi(page: PageDef, root: HTMLElement, query: URLSearchParams, store: StaticStore | null): Mounted {
  const cleanups: Array<() => void> = [];
  const ui: PageUi = {
    root, query, live: store === null,
    async api<T>(route: string, q: Record<string, string | number | boolean | undefined> = {}): Promise<T> {
      const params = new URLSearchParams();
      for (const [k, v] of Object.entries(q)) if (v !== undefined) params.set(k, String(v));
      if (store) {
        const handler = page.api[route];
        if (!handler) throw new Error(`page ${page.id} has no route ${route}`);
        return (await handler({ store }, params)) as T;
      }
      const res = await fetch(`/api/${page.id}/${route}?${params}`, { headers: { accept: 'application/json' } });
      const body = await res.json() as T & { error?: string };
      if (!res.ok) throw new Error(body.error ?? `${res.status} ${res.statusText}`);
      return body;
    },
    el(tag, attrs = {}, ...children) {
      const e = document.createElement(tag);
      for (const [k, v] of Object.entries(attrs)) if (v !== '') e.setAttribute(k, v);
      e.append(...children);
      return e;
    },
    chart: (parent, options) => createChart(parent, options),
    table: (columns, rows, options) => createTable(columns, rows, options),
    follow(runId, onChange) {
      if (store) return;
      const source = new EventSource(`/events?run=${encodeURIComponent(runId)}`);
      let timer: number | null = null;
      source.addEventListener('records', () => {
        if (timer !== null) return;
        timer = window.setTimeout(() => { timer = null; onChange(); }, 250);
      });
      cleanups.push(() => { source.close(); if (timer !== null) clearTimeout(timer); });
    },
    every(ms, fn) {
      const t = window.setInterval(fn, ms);
      cleanups.push(() => clearInterval(t));
    },
    link(pageId, q = {}) {
      const params = new URLSearchParams();
      for (const [k, v] of Object.entries(q)) for (const x of Array.isArray(v) ? v : [v]) params.append(k, x);
      const s = params.toString();
      return `#/${pageId}${s ? `?${s}` : ''}`;
    },
  };
  return { ui, dispose: () => { for (const c of cleanups.splice(0)) c(); } };
}
