// The dashboard's HTTP server (node:http): static front end from memory, page routes from the
// page registry, server-sent events for live runs. Read-only over the runs directory. Every
// request is answered (4xx for anything malformed, 500 with a message for a bug), and no
// request can crash the process.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { pages } from '../pages/index.js';
import { ApiError, type ApiContext, type ApiHandler } from '../page.js';
import { RunCatalog, type RunCatalogOptions } from './run-catalog.js';
import { LiveFollow } from './live-follow.js';
import { allowedHosts, isLoopback, refusal, TOKEN_COOKIE, type SecurityOptions } from './security.js';
import { indexHtml, loadAssets } from './static-assets.js';

export interface DashboardOptions extends RunCatalogOptions {
  runsDir: string;
  /** Default 127.0.0.1. Anything not loopback requires a token unless `token: false`. */
  host?: string;
  /** Default 6006; when taken, the next free port up to +20 (0: any free port). */
  port?: number;
  /** A token string, true for a random one, false for none. Default: random when the host is not loopback. */
  token?: string | boolean;
  /** How often followed runs are polled for new records (ms). Default 250. */
  pollMs?: number;
}

export interface DashboardServer {
  /** The URL to open (with ?token= when one is required). */
  url: string;
  port: number;
  token: string | null;
  catalog: RunCatalog;
  /** Live clients and followed runs, for tests and diagnostics. */
  stats(): { runs: number; clients: number; connections: number };
  close(): Promise<void>;
}

const ROUTES = new Map<string, ApiHandler>();
for (const p of pages) for (const [name, handler] of Object.entries(p.api)) ROUTES.set(`${p.id}/${name}`, handler);

function send(res: ServerResponse, status: number, type: string, body: string | Buffer, extra: Record<string, string> = {}): void {
  res.writeHead(status, {
    'content-type': type,
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
    'content-security-policy': "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; script-src 'self'; connect-src 'self'",
    ...extra,
  });
  res.end(body);
}

const sendJson = (res: ServerResponse, status: number, value: unknown): void => send(res, status, 'application/json; charset=utf-8', JSON.stringify(value));
const sendError = (res: ServerResponse, status: number, message: string): void => sendJson(res, status, { error: message });

/** Parses the request target; null when it is not a plain absolute path (a 400). */
function parseTarget(raw: string | undefined): { url: URL; segments: string[] } | null {
  if (!raw || !raw.startsWith('/') || raw.startsWith('//') || raw.length > 8192) return null;
  let url: URL;
  try {
    url = new URL(raw, 'http://dashboard.invalid');
  } catch {
    return null;
  }
  const segments: string[] = [];
  for (const part of url.pathname.split('/').slice(1)) {
    let s: string;
    try {
      s = decodeURIComponent(part);
    } catch {
      return null;
    }
    // Decoded separators, dot segments and NULs never name anything here.
    if (s === '.' || s === '..' || /[\\/\0]/.test(s)) return null;
    segments.push(s);
  }
  // The raw target too: URL() already resolved '/a/../b', which must not quietly become '/b'.
  if (/(^|\/)(\.|%2e){1,2}(\/|$|\?)/i.test(raw.split('?')[0])) return null;
  return { url, segments };
}

async function listen(server: Server, host: string, port: number, tries: number): Promise<number> {
  for (let k = 0; ; k++) {
    try {
      await new Promise<void>((ok, fail) => {
        const onError = (e: Error): void => { server.off('listening', onListening); fail(e); };
        const onListening = (): void => { server.off('error', onError); ok(); };
        server.once('error', onError);
        server.once('listening', onListening);
        server.listen(port === 0 ? 0 : port + k, host);
      });
      return (server.address() as AddressInfo).port;
    } catch (e) {
      if ((e as { code?: string }).code !== 'EADDRINUSE' || port === 0 || k >= tries) throw e;
    }
  }
}

/**
 * Starts the dashboard over a runs directory.
 * @example const d = await startDashboard({ runsDir: 'runs', port: 0 }); console.log(d.url); await d.close();
 */
export async function startDashboard(o: DashboardOptions): Promise<DashboardServer> {
  const host = o.host ?? '127.0.0.1';
  const token = o.token === false ? null : typeof o.token === 'string' ? o.token : (o.token === true || !isLoopback(host)) ? randomBytes(24).toString('hex') : null;
  const assets = loadAssets();
  const catalog = new RunCatalog(o.runsDir, o);
  const live = new LiveFollow(o.pollMs ?? 250);
  const ctx: ApiContext = { store: catalog };
  const security: SecurityOptions = { hosts: new Set(), anyHost: host === '0.0.0.0' || host === '::', token };
  const shell = indexHtml({ title: 'Tradecraft dashboard', boot: { mode: 'live' } });
  let connections = 0;

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const target = parseTarget(req.url);
    if (!target) return sendError(res, 400, 'malformed request path');
    const refused = refusal(req, target.url, security);
    if (refused) return sendError(res, refused[0], refused[1]);
    if (req.method !== 'GET' && req.method !== 'HEAD') return send(res, 405, 'text/plain; charset=utf-8', 'read-only server: GET only', { allow: 'GET, HEAD' });
    const cookie: Record<string, string> = token && target.url.searchParams.get('token') ? { 'set-cookie': `${TOKEN_COOKIE}=${token}; HttpOnly; SameSite=Strict; Path=/` } : {};
    const [first, ...rest] = target.segments;
    if (target.segments.length === 1 && first === '') return send(res, 200, 'text/html; charset=utf-8', shell, cookie);
    if (first === 'static' && rest.length === 1) {
      const asset = assets.get(rest[0]);
      return asset ? send(res, 200, asset.type, asset.body) : sendError(res, 404, 'no such file');
    }
    if (first === 'api' && rest.length === 2) {
      const handler = ROUTES.get(`${rest[0]}/${rest[1]}`);
      if (!handler) return sendError(res, 404, `no API route ${rest[0]}/${rest[1]}`);
      const value = await handler(ctx, target.url.searchParams);
      return sendJson(res, 200, value);
    }
    if (first === 'events' && rest.length === 0) {
      const id = target.url.searchParams.get('run');
      if (!id) return sendError(res, 400, 'events need ?run=<run id>');
      live.add(catalog.run(id), res);
      return;
    }
    if (first === 'favicon.ico') return send(res, 204, 'text/plain', '');
    return sendError(res, 404, 'not found');
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((e: unknown) => {
      if (res.headersSent) { res.destroy(); return; }
      if (e instanceof ApiError) sendError(res, e.status, e.message);
      else sendError(res, 500, `internal error: ${(e as Error).message}`);
    });
  });
  server.on('connection', (socket) => { connections++; socket.on('close', () => connections--); });
  server.on('clientError', (_e, socket) => { if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nconnection: close\r\n\r\n'); else socket.destroy(); });
  server.headersTimeout = 10_000;
  server.requestTimeout = 0; // event streams stay open
  const port = await listen(server, host, o.port ?? 6006, o.port === 0 ? 0 : 20);
  for (const h of allowedHosts(host, port)) security.hosts.add(h);
  const shown = host === '0.0.0.0' ? '127.0.0.1' : host === '::' ? '[::1]' : host.includes(':') ? `[${host}]` : host;
  return {
    url: `http://${shown}:${port}/${token ? `?token=${token}` : ''}`,
    port, token, catalog,
    stats: () => ({ ...live.stats(), connections }),
    close: () => new Promise<void>((ok) => {
      live.close();
      server.close(() => ok());
      server.closeAllConnections();
    }),
  };
}
