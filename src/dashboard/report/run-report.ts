// The self-contained run report: the dashboard's own bundle and styles inlined into one HTML
// file with the run (every record) embedded; the run page's routes then run in the browser
// against that data, so the charts keep their controls with no server and no network.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readJsonl } from '../../track/files.js';
import type { LedgerEntryView, RunView } from '../api-types.js';
import { embedRun, type EmbeddedStore } from '../static-store.js';
import { indexHtml, staticDir } from '../server/static-assets.js';

export function buildRunReport(run: RunView, ledgerPath: string): string {
  const dir = staticDir();
  const js = join(dir, 'app.js'), css = join(dir, 'app.css');
  if (!existsSync(js) || !existsSync(css)) throw new Error(`the dashboard front end is not built (${js}): run \`npm run build\``);
  let ledger: LedgerEntryView[] = [];
  if (existsSync(ledgerPath)) {
    try { ledger = readJsonl<LedgerEntryView>(ledgerPath, 'test ledger').records; } catch { ledger = []; }
  }
  const store: EmbeddedStore = { runs: [embedRun(run)], ledger };
  return indexHtml({
    title: `${run.info?.experiment ?? 'run'} ${run.id} · tradecraft report`,
    inlineCss: readFileSync(css, 'utf8'),
    inlineJs: readFileSync(js, 'utf8'),
    boot: { mode: 'static', page: 'run', query: `id=${encodeURIComponent(run.id)}`, store, title: `tradecraft report · ${run.id}` },
  });
}
