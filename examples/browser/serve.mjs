// A tiny static server for the browser example: the page from examples/browser/ at /, the
// bundle and the MNIST subset from dist/browser/ at /dist/. Local only (127.0.0.1), GET only.
// usage: node examples/browser/serve.mjs [--port 8080]   (npm run example:browser builds first)
import { createServer } from 'node:http';
import { readFile } from 'node:fs/promises';
import { extname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = fileURLToPath(new URL('.', import.meta.url));
const roots = { '/dist/': join(here, '../../dist/browser'), '/': here };
const types = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.mjs': 'text/javascript; charset=utf-8', '.map': 'application/json', '.bin': 'application/octet-stream', '.css': 'text/css' };

/** Starts the server; resolves to its URL. Port 0 picks a free port (the test uses that). */
export function serve(port = 8080, host = '127.0.0.1') {
  const server = createServer(async (req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    const prefix = path.startsWith('/dist/') ? '/dist/' : '/';
    const rel = normalize(path.slice(prefix.length) || 'index.html');
    if (req.method !== 'GET' || rel.startsWith('..') || rel.includes('\0')) { res.writeHead(404).end(); return; }
    try {
      const body = await readFile(join(roots[prefix], rel));
      res.writeHead(200, { 'content-type': types[extname(rel)] ?? 'application/octet-stream', 'cache-control': 'no-store' }).end(body);
    } catch {
      res.writeHead(404, { 'content-type': 'text/plain' }).end(`not found: ${path}${prefix === '/dist/' ? ' (run npm run build:browser)' : ''}`);
    }
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve({ url: `http://${host}:${server.address().port}/`, close: () => new Promise((r) => server.close(r)) }));
  });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const i = process.argv.indexOf('--port');
  const port = i > 0 ? Number(process.argv[i + 1]) : 8080;
  serve(port).then(({ url }) => console.log(`browser example: open ${url} (Ctrl-C to stop)`), (e) => {
    console.error(`example:browser: cannot listen on port ${port}: ${e.message}; pass --port N`);
    process.exit(1);
  });
}
