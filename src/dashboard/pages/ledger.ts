// Test ledger page: every evaluation of every test set, grouped by test set; a set evaluated for
// more than one model is flagged (its score is optimistic for whichever model was kept).
import { definePage } from '../page.js';
import type { LedgerEntryView } from '../api-types.js';

export interface LedgerGroup {
  testSet: string;
  experiments: string[];
  evaluations: number;
  models: number;
  flagged: boolean;
  entries: LedgerEntryView[];
}

export const ledgerPage = definePage({
  id: 'ledger',
  title: 'Test ledger',
  nav: true,
  api: {
    entries: (ctx) => {
      const groups = new Map<string, LedgerEntryView[]>();
      for (const e of ctx.store.ledger()) {
        const list = groups.get(e.testSet) ?? [];
        list.push(e);
        groups.set(e.testSet, list);
      }
      const out: LedgerGroup[] = [...groups].map(([testSet, entries]) => {
        const models = new Set(entries.map((e) => e.modelHash)).size;
        return { testSet, experiments: [...new Set(entries.map((e) => e.experiment ?? '?'))], evaluations: entries.length, models, flagged: models > 1, entries };
      });
      return { groups: out };
    },
  },
  render: async (ui) => {
    const { groups } = await ui.api<{ groups: LedgerGroup[] }>('entries');
    ui.root.append(ui.el('h1', {}, 'Test ledger'));
    if (groups.length === 0) ui.root.append(ui.el('p', {}, 'No test set has been evaluated yet (`tradecraft train` evaluates one once at the end).'));
    for (const g of groups) {
      const section = ui.el('section', { class: g.flagged ? 'ledger-group flagged' : 'ledger-group' });
      section.append(ui.el('h2', {}, `test set ${g.testSet}`));
      section.append(ui.el('p', { class: g.flagged ? 'warn' : '' }, g.flagged
        ? `Used by ${g.models} different models (${g.evaluations} evaluations): picking the best of them on this set overfits it; select on validation data.`
        : `${g.evaluations} evaluation${g.evaluations > 1 ? 's' : ''} of one model.`));
      section.append(ui.table([
        { key: 'time', label: 'time' },
        { key: 'runId', label: 'run', format: (v) => { const a = ui.el('a', { href: ui.link('run', { id: String(v) }) }, String(v)); return a; } },
        { key: 'experiment', label: 'experiment' },
        { key: 'modelHash', label: 'model' },
        { key: 'metric', label: 'metric' },
        { key: 'value', label: 'value', numeric: true, format: (v) => Number(v).toFixed(4) },
        { key: 'n', label: 'n', numeric: true },
      ], g.entries as unknown as Array<Record<string, unknown>>, { sortKey: 'time' }));
      ui.root.append(section);
    }
  },
});
