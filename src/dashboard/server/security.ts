// Request checks that come before any route: the Host and Origin headers must name this server
// (a loopback-bound server is still reachable from a web page through DNS rebinding), and a
// server bound to a non-loopback address requires its token (Jupyter's scheme: the token comes
// in the URL once, then lives in a same-site cookie).
import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

export const TOKEN_COOKIE = 'tradecraft_token';

export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || host === '[::1]' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

/** host:port forms a browser may send for a server bound to `bindHost` on `port`. */
export function allowedHosts(bindHost: string, port: number): Set<string> {
  const names = new Set(['localhost', '127.0.0.1', '[::1]']);
  if (!['0.0.0.0', '::'].includes(bindHost)) names.add(bindHost.includes(':') && !bindHost.startsWith('[') ? `[${bindHost}]` : bindHost);
  const out = new Set<string>();
  for (const n of names) out.add(`${n}:${port}`);
  return out;
}

function cookie(req: IncomingMessage, name: string): string | undefined {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const [k, ...v] = part.trim().split('=');
    if (k === name) return v.join('=');
  }
  return undefined;
}

function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a), y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

export interface SecurityOptions {
  hosts: Set<string>;
  /** Extra Host values accepted (a server bound to 0.0.0.0 is reached by its machine name). */
  anyHost: boolean;
  token: string | null;
}

/** Returns [status, reason] to refuse the request with, or null to serve it. */
export function refusal(req: IncomingMessage, url: URL, o: SecurityOptions): [number, string] | null {
  const host = req.headers.host;
  if (!host) return [400, 'the request has no Host header'];
  if (!o.anyHost && !o.hosts.has(host.toLowerCase())) return [403, `Host '${host}' is not this server`];
  const origin = req.headers.origin;
  if (origin !== undefined && origin !== `http://${host}`) return [403, `Origin '${origin}' may not call this server`];
  if (o.token) {
    const given = url.searchParams.get('token') ?? cookie(req, TOKEN_COOKIE) ?? (req.headers.authorization ?? '').replace(/^Bearer /, '');
    if (!given || !sameSecret(given, o.token)) return [401, 'this dashboard needs its token: open the URL it printed (with ?token=...)'];
  }
  return null;
}
