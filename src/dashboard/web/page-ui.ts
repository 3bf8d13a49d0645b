// What a page's `render` gets from the front end: its root element, its query, a way to call its
// own API routes, charts (uPlot) and tables, and live updates. Pages use only this, so the same
// page runs in the live dashboard and in a static report.

export interface ChartSeriesSpec {
  label: string;
  color: string;
  /** Drawn thin and translucent (the raw series behind a smoothed one). */
  faint?: boolean;
  dash?: boolean;
  /** Not drawn as a line (a band edge). */
  hidden?: boolean;
  /** Plotted against a second y axis on the right (e.g. accuracy beside loss). */
  axis2?: boolean;
}

/** A filled region between two series, by their index in `ys`. */
export interface ChartBand {
  lo: number;
  hi: number;
  color: string;
}

export interface ChartData {
  x: number[];
  ys: Array<Array<number | null>>;
  series: ChartSeriesSpec[];
  bands?: ChartBand[];
}

export interface ChartOptions {
  title: string;
  xLabel: string;
  /** Labels of the left and right y axes. */
  yLabel?: string;
  y2Label?: string;
  log?: boolean;
  /** A fixed y range (the "ignore outliers" view); auto when absent. */
  yRange?: [number, number] | null;
  height?: number;
  /** Called with the new x range after the user zooms (drag) or resets (double click: null). */
  onZoom?: (range: [number, number] | null) => void;
}

export interface ChartHandle {
  readonly element: HTMLElement;
  /** Redraws with new data (and options); keeps the user's zoom unless `resetZoom`. */
  update(data: ChartData, options?: Partial<ChartOptions>, resetZoom?: boolean): void;
  /** Points in the first series now drawn (tests read it through the element's data-points attribute). */
  points(): number;
}

export interface TableColumn {
  key: string;
  label: string;
  /** Formats a cell; default String(value), '' for null/undefined. */
  format?: (value: unknown, row: Record<string, unknown>) => string | Node;
  numeric?: boolean;
}

export interface TableOptions {
  /** Sorted by this column initially. */
  sortKey?: string;
  sortDescending?: boolean;
  /** Marks a row (class name) e.g. 'warn'. */
  rowClass?: (row: Record<string, unknown>) => string;
  /** Told when the user sorts (so a redrawn table can keep the order). */
  onSort?: (key: string, descending: boolean) => void;
}

export interface PageUi {
  readonly root: HTMLElement;
  readonly query: URLSearchParams;
  /** False in a static report: no server to follow or re-query beyond the embedded data. */
  readonly live: boolean;
  /** GET /api/<this page>/<route>?query as JSON; rejects with the server's message on 4xx/5xx. */
  api<T>(route: string, query?: Record<string, string | number | boolean | undefined>): Promise<T>;
  /** Creates an element: el('div', { class: 'x' }, 'text', child). */
  el<K extends keyof HTMLElementTagNameMap>(tag: K, attrs?: Record<string, string>, ...children: Array<string | Node>): HTMLElementTagNameMap[K];
  chart(parent: HTMLElement, options: ChartOptions): ChartHandle;
  table(columns: TableColumn[], rows: Array<Record<string, unknown>>, options?: TableOptions): HTMLElement;
  /** Calls onChange (at most every 250 ms) when the run's metrics grow; stops when the page is left. */
  follow(runId: string, onChange: () => void): void;
  /** Calls fn every ms while the page is shown. */
  every(ms: number, fn: () => void): void;
  /** The href of a page: link('run', { id }). */
  link(pageId: string, query?: Record<string, string | string[]>): string;
}
