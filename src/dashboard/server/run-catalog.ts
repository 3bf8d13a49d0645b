// The runs directory as the dashboard's read-only store. Run ids are the names of directories
// this catalog listed itself (and whose real path stays inside the runs directory), so no path
// a request names is ever opened. Metric columns are kept for a bounded number of runs.
import { existsSync, readdirSync, readFileSync, realpathSync } from 'node:fs';
import { dirname, join, sep } from 'node:path';
import { readJsonl } from '../../track/files.js';
import { ApiError } from '../page.js';
import type { ApiStore, LedgerEntryView, StudyFolderView } from '../api-types.js';
import { RunDirectory } from './run-directory.js';

export interface RunCatalogOptions {
  /** Runs whose metric columns stay in memory at once (least recently used are dropped). Default 16. */
  maxLoadedRuns?: number;
  /** How long a directory listing is reused (ms). Default 500. */
  listTtlMs?: number;
  /** The folder `prune` and `repro` write study folders into. Default: `studies` beside the runs directory. */
  studiesDir?: string;
}

/** The only file names a study page may ask for: a name or one sub-folder and a name, no dots elsewhere. */
const STUDY_FILE = /^[a-z0-9][a-z0-9-]*(\/[a-z0-9][a-z0-9-]*)?\.(json|jsonl|txt|svg)$/;
/** Study folders of prune (lottery-*) and repro (repro-*). */
const STUDY_FOLDER = /^(lottery|repro)-/;

export class RunCatalog implements ApiStore {
  private readonly runs = new Map<string, RunDirectory>();
  private order: string[] = [];
  private listedAt = -Infinity;
  private readonly root: string;

  constructor(readonly runsDir: string, private readonly options: RunCatalogOptions = {}) {
    this.root = existsSync(runsDir) ? realpathSync(runsDir) : runsDir;
  }

  /** Rescans the runs directory (at most every listTtlMs). */
  private list(force = false): void {
    const now = Date.now();
    if (!force && now - this.listedAt < (this.options.listTtlMs ?? 500)) return;
    this.listedAt = now;
    let names: string[] = [];
    try {
      names = readdirSync(this.root, { withFileTypes: true }).filter((d) => (d.isDirectory() || d.isSymbolicLink()) && !d.name.startsWith('.')).map((d) => d.name);
    } catch {
      names = [];
    }
    const seen = new Set<string>();
    for (const name of names) {
      const dir = join(this.root, name);
      let real: string;
      try {
        real = realpathSync(dir);
      } catch {
        continue;
      }
      if (!real.startsWith(this.root + sep)) continue; // a symlink that leads out of the runs directory
      if (!existsSync(join(real, 'run.json')) && !existsSync(join(real, 'metrics.jsonl'))) continue;
      seen.add(name);
      if (!this.runs.has(name)) this.runs.set(name, new RunDirectory(name, real, () => this.evict()));
    }
    for (const id of [...this.runs.keys()]) if (!seen.has(id)) this.runs.delete(id);
    this.order = [...seen].sort().reverse();
  }

  runIds(): string[] {
    this.list();
    return this.order;
  }

  run(id: string): RunDirectory {
    this.list();
    let run = this.runs.get(id);
    if (!run) {
      this.list(true); // created since the last listing?
      run = this.runs.get(id);
    }
    if (!run) throw new ApiError(404, `no run '${id}' in ${this.runsDir}`);
    return run;
  }

  /** Keeps at most maxLoadedRuns runs' metric columns in memory (called when a run loads its columns). */
  private evict(): void {
    const loaded = [...this.runs.values()].filter((r) => r.seriesLoaded()).sort((a, b) => b.lastUsed - a.lastUsed);
    for (const r of loaded.slice(this.options.maxLoadedRuns ?? 16)) r.unload();
  }

  /** Study folders the catalog lists itself under studiesDir; a file is read only by a fixed-pattern name inside one. */
  studyFolders(): StudyFolderView[] {
    const dir = this.options.studiesDir ?? join(dirname(this.root), 'studies');
    let root: string;
    let names: string[];
    try {
      root = realpathSync(dir);
      names = readdirSync(root, { withFileTypes: true }).filter((d) => (d.isDirectory() || d.isSymbolicLink()) && STUDY_FOLDER.test(d.name)).map((d) => d.name);
    } catch {
      return [];
    }
    const out: StudyFolderView[] = [];
    for (const name of names.sort().reverse()) {
      let folder: string;
      try {
        folder = realpathSync(join(root, name));
      } catch {
        continue;
      }
      if (!folder.startsWith(root + sep)) continue; // a symlink that leads out of the studies folder
      out.push({
        name,
        readText: (file) => {
          if (!STUDY_FILE.test(file)) throw new ApiError(400, `study file name '${file}' is not allowed`);
          try {
            const real = realpathSync(join(folder, file));
            if (!real.startsWith(folder + sep)) return null;
            return readFileSync(real, 'utf8');
          } catch {
            return null;
          }
        },
      });
    }
    return out;
  }

  ledger(): LedgerEntryView[] {
    const path = join(this.root, 'test-ledger.jsonl');
    if (!existsSync(path)) return [];
    try {
      return readJsonl<LedgerEntryView>(path, 'test ledger').records;
    } catch (e) {
      throw new ApiError(422, (e as Error).message);
    }
  }
}
