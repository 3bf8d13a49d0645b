// What the tuning pages share: the runs a study made, found by the `extra` that `lr-find`,
// `lr-sweep` and `ablate` write into run.json (kind, study name, variant or rate).
import { ApiError, type ApiContext } from '../page.js';
import type { RunView } from '../api-types.js';

export interface TaggedRun {
  run: RunView;
  extra: Record<string, unknown>;
}

/** Every readable run whose run.json says extra.kind === kind, newest first. */
export function runsOfKind(ctx: ApiContext, kind: string): TaggedRun[] {
  const out: TaggedRun[] = [];
  for (const id of ctx.store.runIds()) {
    const run = ctx.store.run(id);
    const extra = run.info?.extra;
    if (extra && extra.kind === kind) out.push({ run, extra });
  }
  return out;
}

/** Runs grouped by extra.study, in order of first appearance (newest study first). */
export function studies(ctx: ApiContext, kind: string): Map<string, TaggedRun[]> {
  const groups = new Map<string, TaggedRun[]>();
  for (const t of runsOfKind(ctx, kind)) {
    const name = String(t.extra.study ?? '?');
    const list = groups.get(name) ?? [];
    list.push(t);
    groups.set(name, list);
  }
  return groups;
}

/** A page's list of the studies of one kind: name, experiment and how many runs each made. */
export function studyList(ctx: ApiContext, kind: string): Array<{ name: string; experiment: string; runs: number }> {
  return [...studies(ctx, kind)].map(([name, runs]) => ({ name, experiment: runs[0].run.info?.experiment ?? '?', runs: runs.length }));
}

/** The runs of the study the `name` query names, or a 404 that says which `what` was asked for. */
export function studyNamed(ctx: ApiContext, kind: string, q: URLSearchParams, what: string): { name: string; runs: TaggedRun[] } {
  const name = q.get('name');
  const runs = name ? studies(ctx, kind).get(name) : undefined;
  if (!name || !runs) throw new ApiError(404, `no ${what} named ${JSON.stringify(name)}`);
  return { name, runs };
}

/** An SVG string produced by our own chart code (labels escaped there), shown as a figure. */
export function svgFigure(el: (tag: 'div', attrs?: Record<string, string>) => HTMLElement, svg: string): HTMLElement {
  const div = el('div', { class: 'svg-figure' });
  div.innerHTML = svg;
  return div;
}
