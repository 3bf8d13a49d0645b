// Pruning page: the lottery-ticket studies written by `tradecraft prune` and the reproductions
// written by `tradecraft repro`, read from their study folders (never written). A lottery study
// is rebuilt from results.jsonl, so a study still running shows the rounds finished so far.
import { definePage, ApiError, type ApiContext } from '../page.js';
import type { StudyFolderView } from '../api-types.js';
import type { ImpResult, Condition } from '../../prune/imp.js';
import { summarizeLottery, lotteryClaim, type LotteryRow } from '../../prune/lottery-report.js';

const ARMS: Condition[] = ['rewind', 'reinit', 'random'];
const ARM_LABEL: Record<Condition, string> = { rewind: 'rewind (ticket)', reinit: 'same masks, reinit', random: 'random masks' };
const ARM_COLOR: Record<Condition, string> = { rewind: '#1f77b4', reinit: '#d62728', random: '#7f7f7f' };

interface Interval { mean: number; lo: number; hi: number; n: number }
/** One row per pruning round: weights remaining and the test accuracy of each arm trained there. */
export interface PruningRow { round: number; remaining: number; rewind: Interval | null; reinit: Interval | null; random: Interval | null }
export interface LotteryView {
  name: string; experiment: string; complete: boolean; results: number;
  rows: PruningRow[]; claim: { claim: string; held: boolean; detail: string } | null;
}

const folders = (ctx: ApiContext): StudyFolderView[] => ctx.store.studyFolders?.() ?? [];

function json(f: StudyFolderView, file: string): Record<string, unknown> | null {
  const text = f.readText(file);
  if (text === null) return null;
  try {
    return JSON.parse(text) as Record<string, unknown>;
  } catch {
    return null; // being replaced (atomic writes make this rare) or damaged: shown as absent
  }
}

/** Lines of results.jsonl; a partial last line (a study writing now) is skipped. */
function results(f: StudyFolderView, file: string): ImpResult[] | null {
  const text = f.readText(file);
  if (text === null) return null;
  const out: ImpResult[] = [];
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    try {
      const r = JSON.parse(line) as ImpResult;
      if (typeof r.remaining === 'number' && typeof r.testAccuracy === 'number') out.push(r);
    } catch { /* partial line */ }
  }
  return out;
}

/** The table: rounds in order, one interval per arm (round 0, the dense network, under rewind). */
export function pruningRows(rows: LotteryRow[]): PruningRow[] {
  const byRound = new Map<number, PruningRow>();
  for (const r of rows) {
    const row = byRound.get(r.round) ?? { round: r.round, remaining: r.remaining, rewind: null, reinit: null, random: null };
    row[r.condition] = { mean: r.test.mean, lo: r.test.lo, hi: r.test.hi, n: r.test.n };
    byRound.set(r.round, row);
  }
  return [...byRound.values()].sort((a, b) => a.round - b.round);
}

function lotteryView(name: string, f: StudyFolderView, resultsFile: string, spec: Record<string, unknown> | null): LotteryView | null {
  const rs = results(f, resultsFile);
  if (rs === null) return null;
  const done = json(f, resultsFile.replace(/results\.jsonl$/, 'summary.json')) !== null;
  const claim = rs.length > 0 ? lotteryClaim(rs) : null;
  return {
    name, experiment: String(spec?.experiment ?? '?'), complete: done, results: rs.length,
    rows: pruningRows(summarizeLottery(rs)), claim: claim && { claim: claim.claim, held: claim.held, detail: claim.detail },
  };
}

/** The SVG plots `repro` wrote (named in summary.json), as text for the page to show as images. */
function reproPlots(f: StudyFolderView, summary: Record<string, unknown> | null): Array<{ file: string; svg: string }> {
  const names = Array.isArray(summary?.plots) ? (summary!.plots as unknown[]).map(String) : [];
  const out: Array<{ file: string; svg: string }> = [];
  for (const file of names) {
    if (!/^[a-z0-9][a-z0-9-]*\.svg$/.test(file)) continue;
    const svg = f.readText(file);
    if (svg !== null && svg.trimStart().startsWith('<svg')) out.push({ file, svg });
  }
  return out;
}

function folder(ctx: ApiContext, q: URLSearchParams, prefix: string): StudyFolderView {
  const name = q.get('name');
  const f = name && name.startsWith(prefix) ? folders(ctx).find((x) => x.name === name) : undefined;
  if (!name || !f) throw new ApiError(404, `no ${prefix === 'lottery-' ? 'pruning study' : 'reproduction'} named ${JSON.stringify(name)}`);
  return f;
}

export const pruningPage = definePage({
  id: 'pruning',
  title: 'Pruning & repros',
  nav: true,
  api: {
    list: (ctx) => {
      const all = folders(ctx);
      return {
        lottery: all.filter((f) => f.name.startsWith('lottery-')).map((f) => ({ name: f.name, experiment: String(json(f, 'study.json')?.experiment ?? '?'), complete: json(f, 'summary.json') !== null })),
        repro: all.filter((f) => f.name.startsWith('repro-')).map((f) => {
          const s = json(f, 'summary.json');
          return { name: f.name, repro: s ? String(s.name) : f.name.replace(/^repro-/, '').replace(/-\d{4}-\d\d-\d\dT.*$/, ''), held: s ? s.held === true : null };
        }),
      };
    },
    lottery: (ctx, q) => {
      const f = folder(ctx, q, 'lottery-');
      const v = lotteryView(f.name, f, 'results.jsonl', json(f, 'study.json'));
      if (!v) throw new ApiError(404, `pruning study ${f.name} has no results.jsonl yet`);
      return v;
    },
    repro: (ctx, q) => {
      const f = folder(ctx, q, 'repro-');
      const s = json(f, 'summary.json');
      const text = f.readText('table.txt');
      // table.txt is the table, a blank line, then claim and evidence (see cli/repro.ts).
      const table = text === null ? [] : text.split('\n\n')[0].split('\n');
      const lottery = lotteryView(f.name, f, 'lottery-study/results.jsonl', json(f, 'lottery-study/study.json'));
      return {
        name: f.name, complete: s !== null, repro: s ? String(s.name) : null, source: s ? String(s.source) : null,
        claim: s ? String(s.claim) : null, held: s ? s.held === true : null,
        evidence: Array.isArray(s?.evidence) ? (s!.evidence as unknown[]).map(String) : [], size: (s?.size ?? {}) as Record<string, number>,
        seconds: typeof s?.seconds === 'number' ? s.seconds : null, table, lottery, plots: reproPlots(f, s),
      };
    },
  },
  render: async (ui) => {
    ui.root.append(ui.el('h1', {}, 'Pruning & reproductions'));
    const list = await ui.api<{ lottery: Array<{ name: string; experiment: string; complete: boolean }>; repro: Array<{ name: string; repro: string; held: boolean | null }> }>('list');
    if (list.lottery.length === 0 && list.repro.length === 0) {
      ui.root.append(ui.el('p', {}, 'No study yet: run `tradecraft prune mnist-lenet300` or `tradecraft repro initialization` (they write into `studies/` beside `runs/`).'));
      return;
    }
    const pct = (v: unknown) => (typeof v === 'number' ? (100 * v).toFixed(2) : '');
    const arm = (v: unknown) => {
      const i = v as Interval | null;
      return i ? `${(100 * i.mean).toFixed(2)} [${(100 * i.lo).toFixed(2)}, ${(100 * i.hi).toFixed(2)}]` : '';
    };
    const drawLottery = (v: LotteryView): void => {
      ui.root.append(ui.el('p', {}, `${v.results} networks trained${v.complete ? '' : ' so far (study running or stopped)'}. Test accuracy %, mean [95% interval over seeds].`));
      const arms = ARMS.filter((a) => v.rows.some((r) => r[a] !== null));
      const table = ui.table([
        { key: 'round', label: 'round', numeric: true },
        { key: 'remaining', label: 'weights remaining %', numeric: true, format: pct },
        ...arms.map((a) => ({ key: a, label: ARM_LABEL[a], numeric: true, format: arm })),
      ], v.rows as unknown as Array<Record<string, unknown>>, { sortKey: 'round' });
      table.id = 'pruning-table';
      ui.root.append(table);
      const holder = ui.el('div', { id: 'chart-pruning' });
      ui.root.append(holder);
      const rows = [...v.rows].sort((a, b) => a.remaining - b.remaining);
      const ys: Array<Array<number | null>> = [];
      const series: Array<{ label: string; color: string; hidden?: boolean; dash?: boolean }> = [];
      const bands: Array<{ lo: number; hi: number; color: string }> = [];
      for (const a of arms) {
        // The dense network (round 0) is every arm's starting point.
        const at = (r: PruningRow) => r[a] ?? (r.round === 0 ? r.rewind : null);
        ys.push(rows.map((r) => (at(r) ? 100 * at(r)!.mean : null)));
        series.push({ label: ARM_LABEL[a], color: ARM_COLOR[a], dash: a !== 'rewind' });
        ys.push(rows.map((r) => (at(r) ? 100 * at(r)!.lo : null)), rows.map((r) => (at(r) ? 100 * at(r)!.hi : null)));
        series.push({ label: `${a} 95% lo`, color: ARM_COLOR[a], hidden: true }, { label: `${a} 95% hi`, color: ARM_COLOR[a], hidden: true });
        bands.push({ lo: ys.length - 2, hi: ys.length - 1, color: ARM_COLOR[a] });
      }
      ui.chart(holder, { title: `${v.experiment}: test accuracy vs weights remaining`, xLabel: 'weights remaining (%, log)', yLabel: 'test accuracy (%)', xLog: true })
        .update({ x: rows.map((r) => 100 * r.remaining), ys, series, bands });
      if (v.claim) ui.root.append(ui.el('p', {}, `claim: ${v.claim.claim}. ${v.complete ? (v.claim.held ? 'Held' : 'Did not hold') : 'So far'}: ${v.claim.detail}`));
    };
    const name = ui.query.get('name') ?? (list.lottery[0] ?? list.repro[0]).name;
    if (name.startsWith('lottery-')) {
      const v = await ui.api<LotteryView>('lottery', { name });
      ui.root.append(ui.el('h2', {}, `${v.name} (${v.experiment})`));
      drawLottery(v);
    } else {
      const r = await ui.api<{ name: string; complete: boolean; repro: string | null; source: string | null; claim: string | null; held: boolean | null; evidence: string[]; table: string[]; lottery: LotteryView | null; plots: Array<{ file: string; svg: string }> }>('repro', { name });
      ui.root.append(ui.el('h2', {}, `${r.repro ?? r.name}${r.source ? ` (${r.source})` : ''}`));
      if (!r.complete) ui.root.append(ui.el('p', {}, 'Not finished: no summary.json yet.'));
      else {
        ui.root.append(ui.el('p', {}, `claim: ${r.claim}`));
        ui.root.append(ui.el('p', { id: 'repro-verdict', class: r.held ? '' : 'warn' }, ui.el('strong', {}, r.held ? 'verdict: held' : 'verdict: did not hold')));
        for (const e of r.evidence) ui.root.append(ui.el('p', {}, e));
      }
      if (r.table.length > 0) ui.root.append(ui.el('pre', {}, r.table.join('\n')));
      // As images, not inline markup: an image's SVG cannot run script or restyle the page.
      for (const p of r.plots) {
        ui.root.append(ui.el('figure', { class: 'repro-plot' },
          ui.el('img', { src: `data:image/svg+xml;charset=utf-8,${encodeURIComponent(p.svg)}`, alt: p.file, style: 'max-width: 100%' }),
          ui.el('figcaption', {}, p.file)));
      }
      if (r.lottery) drawLottery(r.lottery);
    }
    ui.root.append(ui.el('h2', {}, 'All studies'));
    for (const s of list.lottery) ui.root.append(ui.el('p', {}, ui.el('a', { href: ui.link('pruning', { name: s.name }) }, `prune: ${s.name} (${s.experiment}${s.complete ? '' : ', unfinished'})`)));
    for (const s of list.repro) ui.root.append(ui.el('p', {}, ui.el('a', { href: ui.link('pruning', { name: s.name }) }, `repro: ${s.repro} (${s.name}, ${s.held === null ? 'unfinished' : s.held ? 'held' : 'did not hold'})`)));
  },
});
