import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

/** Cookies are not port-specific, so the name carries the port: two servers never clash. */
export const tokenCookieName = (port: number): string => `xlab_token_${port}`;

export function isLoopbackHost(host: string): boolean {
  return host === 'localhost' || host === '::1' || host === '[::1]' || /^127(\.\d{1,3}){3}$/.test(host);
}

/** The token a request carries: `?token=` in the URL, an `Authorization: token …` header, or our cookie. */
export function requestToken(req: IncomingMessage, port: number): { token: string | undefined; fromQuery: boolean } {
  const url = new URL(req.url ?? '/', 'http://localhost');
  const query = url.searchParams.get('token');
  if (query) return { token: query, fromQuery: true };
  const auth = req.headers.authorization;
  if (auth?.toLowerCase().startsWith('token ')) return { token: auth.slice(6).trim(), fromQuery: false };
  const name = tokenCookieName(port);
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const [key, ...rest] = part.trim().split('=');
    if (key === name) return { token: decodeURIComponent(rest.join('=')), fromQuery: false };
  }
  return { token: undefined, fromQuery: false };
}

export function tokenMatches(given: string | undefined, expected: string): boolean {
  if (!given) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * Rejects what a browser sends on behalf of another site. When bound to loopback the Host
 * header must be a loopback name (defeats DNS rebinding); a present Origin must be this server.
 */
export function checkOrigin(
  req: IncomingMessage,
  boundToLoopback: boolean,
): { ok: true } | { ok: false; reason: string } {
  const host = req.headers.host ?? '';
  if (boundToLoopback) {
    const hostname = host.replace(/:\d+$/, '');
    if (!isLoopbackHost(hostname)) return { ok: false, reason: `Host ${host || '(none)'} is not this machine` };
  }
  const origin = req.headers.origin;
  if (origin !== undefined && origin !== `http://${host}`) {
    return { ok: false, reason: `requests from ${origin} are not allowed` };
  }
  return { ok: true };
}
