import { existsSync, readdirSync, rmSync } from 'node:fs';
import { join, dirname, resolve } from 'node:path';
import { parseArgs, formatFlagHelp, UsageError } from './args.js';
import { formatTable } from './table.js';
import { openStore, defaultStorage } from '../tune/study/open-store.js';
import { studyProgress, progressLine, trialsCsv } from '../tune/study/summary.js';
import { writeFileAtomic } from '../track/files.js';
import type { StudyStore, StudySummary, StudyRecord, TrialRecord } from '../tune/study/store.js';

const ACTIONS = ['list', 'show', 'best', 'export', 'delete'] as const;

const flags = {
  storage: { type: 'string', help: 'study store: a SQLite file or postgres://... (default studies/<study>/study.db)' },
  root: { type: 'string', default: 'studies', help: 'folder of per-study SQLite files that `list` scans' },
  format: { type: 'string', default: 'csv', choices: ['csv', 'json'], help: 'export format' },
  out: { type: 'string', help: 'export to this file (written atomically) instead of stdout' },
  yes: { type: 'boolean', help: 'confirm `delete`' },
  json: { type: 'boolean', help: 'print one JSON object as the last line of stdout' },
  help: { type: 'boolean', short: 'h', help: 'show this help' },
} as const;

const fmt = (v: number | undefined | null) => (v === undefined || v === null ? '' : Number(v.toPrecision(6)));

async function openNamed(name: string, storage: string | undefined): Promise<{ store: StudyStore; study: StudyRecord }> {
  const where = storage ?? defaultStorage(name);
  if (!/^postgres/i.test(where) && !existsSync(where.replace(/^sqlite:/, ''))) {
    throw new UsageError(`no study '${name}': ${where} does not exist; \`tradecraft study list\` shows the studies under studies/, or pass --storage`);
  }
  const store = openStore(where);
  const study = await store.getStudy(name);
  if (!study) {
    const names = (await store.listStudies()).map((s) => s.name);
    await store.close();
    throw new UsageError(`no study '${name}' in ${store.location}${names.length ? `; it holds ${names.join(', ')}` : ''}`);
  }
  return { store, study };
}

/** `tradecraft study list|show|best|export|delete`: read and manage the study store. */
export async function studyCommand(argv: string[]): Promise<number> {
  const { flags: f, positionals } = parseArgs(argv, flags, [
    { name: 'action', required: false }, { name: 'study', required: false },
  ]);
  if (f.help) {
    console.log(`usage: tradecraft study list|show|best|export|delete [study] [--storage URL] [--json]\n\n${formatFlagHelp(flags)}`);
    return 0;
  }
  if (!positionals.action) throw new UsageError(`study needs an action: ${ACTIONS.join(', ')}, e.g. tradecraft study list`);
  const action = positionals.action as (typeof ACTIONS)[number];
  if (!ACTIONS.includes(action)) throw new UsageError(`unknown action '${positionals.action}'; use one of ${ACTIONS.join(', ')}`);

  if (action === 'list') {
    const summaries: Array<StudySummary & { storage: string }> = [];
    const stores = f.storage ? [f.storage]
      : existsSync(f.root) ? readdirSync(f.root).map((d) => join(f.root, d, 'study.db')).filter((p) => existsSync(p)) : [];
    for (const s of stores) {
      const store = openStore(s);
      try { for (const sum of await store.listStudies()) summaries.push({ ...sum, storage: store.location }); } finally { await store.close(); }
    }
    if (f.json) console.log(JSON.stringify({ studies: summaries }));
    else if (summaries.length === 0) console.log(`no studies ${f.storage ? `in ${f.storage}` : `under ${f.root}/`}; start one with \`tradecraft tune <experiment>\``);
    else {
      console.log(formatTable(summaries.map((s) => [s.name, s.direction, s.counts.complete, s.counts.pruned, s.counts.running, s.counts.failed, fmt(s.best), new Date(s.createdAt).toISOString().slice(0, 16)]),
        ['study', 'direction', 'complete', 'pruned', 'running', 'failed', 'best', 'created']));
    }
    return 0;
  }

  const name = positionals.study;
  if (!name) throw new UsageError(`study ${action} needs a study name, e.g. tradecraft study ${action} mnist-mlp`);
  const { store, study } = await openNamed(name, f.storage);
  try {
    const metric = String(study.settings.metric ?? 'value');
    if (action === 'delete') {
      const n = (await store.trials(study.id)).length;
      if (!f.yes) throw new UsageError(`study delete ${name} removes ${n} trials from ${store.location} (their run directories stay); add --yes to confirm`);
      await store.deleteStudy(name);
      const left = await store.listStudies();
      await store.close();
      // The default per-study folder goes too when nothing else lives in its database.
      if (!f.storage && left.length === 0) rmSync(dirname(resolve(defaultStorage(name))), { recursive: true, force: true });
      if (f.json) console.log(JSON.stringify({ deleted: name, trials: n }));
      else console.log(`deleted study '${name}' (${n} trials)`);
      return 0;
    }
    const trials = await store.trials(study.id);
    const p = studyProgress(trials, study.direction, metric);
    if (action === 'best') {
      if (!p.best) throw new Error(`study '${name}' has no complete trial yet`);
      if (f.json) console.log(JSON.stringify({ study: name, metric, direction: study.direction, number: p.best.number, value: p.best.value, interval: p.bestInterval, params: p.best.params, runDir: p.best.attrs.runDir }));
      else console.log(`trial ${p.best.number}: ${metric} ${p.best.value!.toFixed(4)}${p.bestInterval ? ` (95% CI ${p.bestInterval[0].toFixed(4)}-${p.bestInterval[1].toFixed(4)})` : ''} ${JSON.stringify(p.best.params)} run ${String(p.best.attrs.runDir ?? '?')}`);
      return 0;
    }
    if (action === 'export') {
      const text = f.format === 'csv' ? trialsCsv(trials) : JSON.stringify({ study: { ...study }, trials: trials.map(publicTrial) }, null, 2) + '\n';
      if (f.out) {
        writeFileAtomic(f.out, text);
        console.log(`wrote ${trials.length} trials to ${f.out}`);
      } else process.stdout.write(text);
      return 0;
    }
    // show
    if (f.json) {
      console.log(JSON.stringify({ study: name, direction: study.direction, metric, space: study.space, sampler: study.sampler, pruner: study.pruner, counts: p.counts, best: p.best && publicTrial(p.best), trials: trials.map(publicTrial) }));
      return 0;
    }
    console.log(`study '${name}' in ${store.location}: ${study.direction} ${metric}; sampler ${study.sampler}, pruner ${study.pruner}`);
    const params = Object.keys(study.space);
    console.log(formatTable(trials.map((t) => [
      t.number, t.state, fmt(t.value), ...params.map((k) => (t.params[k] === undefined ? '' : typeof t.params[k] === 'number' ? fmt(t.params[k] as number) : String(t.params[k]))),
      Object.keys(t.intermediate).length, t.retryOf ?? '', t.error ? t.error.slice(0, 60) : String(t.attrs.runDir ?? ''),
    ]), ['trial', 'state', metric, ...params, 'steps', 'retry of', 'run / error']));
    console.log(progressLine(p, metric));
    return 0;
  } finally {
    await store.close();
  }
}

function publicTrial(t: TrialRecord): Record<string, unknown> {
  return {
    number: t.number, state: t.state, value: t.value ?? null, params: t.params, intermediate: t.intermediate, sequenceIndex: t.sequenceIndex ?? null,
    retryOf: t.retryOf, worker: t.worker, startedAt: t.startedAt, finishedAt: t.finishedAt, error: t.error, runDir: t.attrs.runDir ?? null,
  };
}
