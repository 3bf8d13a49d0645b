// The contract between a dashboard page and the two sides that run it. A page is one object:
// its server half (`api`: named JSON routes) and its browser half (`render`). Both halves live
// in the same module so a feature adds its page in one place; the module imports nothing from
// Node or the DOM at load time (the server calls `api`, the bundled front end calls `render`),
// so it loads on both sides. The list of pages is `pages/index.ts`.
import type { ApiStore } from './api-types.js';
import type { PageUi } from './web/page-ui.js';

/** A caller mistake a route reports as 4xx (unknown run, bad parameter); anything else is a 500. */
export class ApiError extends Error {
  constructor(readonly status: number, message: string) {
    super(message);
    this.name = 'ApiError';
  }
}

/** What a route handler may read: the run store, read-only. The server and a static report each provide one. */
export interface ApiContext {
  store: ApiStore;
}

/** GET /api/<page id>/<route name>?query -> JSON. Throw ApiError for a bad request. */
export type ApiHandler = (ctx: ApiContext, query: URLSearchParams) => unknown;

export interface PageDef {
  /** URL-safe name: the page is at `#/<id>` and its routes at `/api/<id>/<route>`. */
  id: string;
  /** Shown in the navigation bar (when `nav`) and the tab title. */
  title: string;
  /** Listed in the navigation bar; pages reached by a link (a single run) say false. */
  nav: boolean;
  /** Server routes, by name. */
  api: Record<string, ApiHandler>;
  /** Draws the page into `ui.root`; `ui.api(name, query)` calls this page's routes. */
  render: (ui: PageUi) => void | Promise<void>;
}

const ID = /^[a-z][a-z0-9-]*$/;

/**
 * Declares a page. Checks the id and route names once, at load time.
 * @example export const helloPage = definePage({ id: 'hello', title: 'Hello', nav: true,
 *   api: { count: (ctx) => ({ runs: ctx.store.runIds().length }) },
 *   render: async (ui) => { ui.root.textContent = `${(await ui.api<{ runs: number }>('count')).runs} runs`; } });
 */
export function definePage(def: PageDef): PageDef {
  if (!ID.test(def.id)) throw new Error(`dashboard page id '${def.id}' must match ${ID} (it is used in URLs)`);
  for (const name of Object.keys(def.api)) if (!ID.test(name)) throw new Error(`dashboard page '${def.id}': route name '${name}' must match ${ID}`);
  return def;
}
