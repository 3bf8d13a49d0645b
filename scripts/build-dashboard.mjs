// Bundles the dashboard front end (src/dashboard/web, the page registry and uPlot from
// node_modules) with esbuild into dist/src/dashboard/static/{app.js,app.css}, which the
// dashboard server and the HTML report serve from the package: nothing is fetched at run time.
import { build } from 'esbuild';
import { readFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const out = 'dist/src/dashboard/static';
mkdirSync(out, { recursive: true });
await build({
  entryPoints: ['src/dashboard/web/main.ts'],
  bundle: true,
  format: 'iife',
  platform: 'browser',
  target: 'es2020',
  minify: true,
  sourcemap: false,
  outfile: `${out}/app.js`,
  logLevel: 'warning',
});
const require = createRequire(import.meta.url);
const uplotCss = readFileSync(require.resolve('uplot/dist/uPlot.min.css'), 'utf8');
writeFileSync(`${out}/app.css`, uplotCss + '\n' + readFileSync('src/dashboard/web/style.css', 'utf8'));
