// The front end as built by scripts/build-dashboard.mjs (esbuild bundle of web/, uPlot's CSS),
// read once at start into memory: requests choose among these names, never a file path.
import { readFileSync, existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

export interface Asset { type: string; body: Buffer }

/** dist/src/dashboard/static, next to the compiled server. */
export function staticDir(): string {
  return join(dirname(fileURLToPath(import.meta.url)), '..', 'static');
}

const FILES: Record<string, string> = {
  'app.js': 'text/javascript; charset=utf-8',
  'app.css': 'text/css; charset=utf-8',
};

/** Reads the built assets; names the build command if they are missing. */
export function loadAssets(): Map<string, Asset> {
  const dir = staticDir();
  const out = new Map<string, Asset>();
  for (const [name, type] of Object.entries(FILES)) {
    const path = join(dir, name);
    if (!existsSync(path)) throw new Error(`the dashboard front end is not built (${path} is missing): run \`npm run build\``);
    out.set(name, { type, body: readFileSync(path) });
  }
  return out;
}

/** The page shell; `boot` is JSON the front end reads first (the static report embeds its data there). */
export function indexHtml(o: { title: string; inlineCss?: string; inlineJs?: string; boot?: unknown }): string {
  const esc = (s: string): string => s.replace(/</g, '\\u003c');
  const css = o.inlineCss !== undefined ? `<style>${o.inlineCss.replace(/<\/style/gi, '<\\/style')}</style>` : '<link rel="stylesheet" href="/static/app.css">';
  const js = o.inlineJs !== undefined ? `<script>${o.inlineJs.replace(/<\/script/gi, '<\\/script')}</script>` : '<script src="/static/app.js"></script>';
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${o.title.replace(/[<&]/g, '')}</title>${css}
<script id="tradecraft-boot" type="application/json">${esc(JSON.stringify(o.boot ?? {}))}</script>
</head><body><div id="app"></div>${js}</body></html>
`;
}
