// THE DASHBOARD PAGE REGISTRY. Every page of the dashboard, in navigation order; the server
// takes its API routes from here and the front end its views, so this list is the one place a
// feature touches to add a page.
//
// To add a page (an LR finder, a study, a pruning round):
//   1. write src/dashboard/pages/<name>.ts exporting `definePage({ id, title, nav, api, render })`
//      (see ../page.ts): `api` are named routes served at GET /api/<id>/<route>?query, each
//      `(ctx, query) => json` reading ctx.store (read-only); `render(ui)` draws the page with
//      `ui.api(route, query)`, `ui.chart`, `ui.table`, `ui.follow` (see ../web/page-ui.ts);
//      the module must not import Node or DOM modules at load time (it runs on both sides);
//   2. add it to the list below. `npm run build` bundles it; it is then at #/<id>.
import type { PageDef } from '../page.js';
import { runsPage } from './runs.js';
import { runPage } from './run.js';
import { comparePage } from './compare.js';
import { ledgerPage } from './ledger.js';
import { lrFindPage } from './lr-find.js';
import { lrSweepsPage } from './lr-sweeps.js';
import { ablationsPage } from './ablations.js';
import { studyPage } from './study.js';
import { pruningPage } from './pruning.js';

export const pages: PageDef[] = [
  runsPage,
  runPage,
  comparePage,
  ledgerPage,
  lrFindPage,
  lrSweepsPage,
  ablationsPage,
  studyPage,
  pruningPage,
];
