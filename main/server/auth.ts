import { createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

/**
 * The login cookie's name. Browsers send a cookie to every port of a host, so the name carries
 * the port (two lab servers never clash) and the value is never the token (see `sessionValue`).
 */
export const sessionCookieName = (port: number): string => `xlab_session_${port}`;

/**
 * What the login cookie holds: an HMAC of this server's port under its token. Another server on
 * the same host, which the browser also sends the cookie to, learns neither the token (it cannot
 * log in with `?token=` or a header, or derive the cookie of another port) nor anything that
 * outlives this server: the value dies with the token. Like any session cookie it is a bearer
 * credential for this one server while it runs.
 */
export function sessionValue(token: string, port: number): string {
  return createHmac('sha256', token).update(`xlab-session:${port}`).digest('base64url');
}

export function isLoopbackHost(host: string): boolean {
  return host === 'localhost' || host === '::1' || host === '[::1]' || /^127(\.\d{1,3}){3}$/.test(host);
}

/** A request's URL, or undefined when it cannot be parsed (`//`, `http://[`): such requests get a 400. */
export function parseRequestUrl(url: string | undefined): URL | undefined {
  try {
    return new URL(url ?? '/', 'http://localhost');
  } catch {
    return undefined;
  }
}

/** The value of one cookie in a Cookie header, taken as it is (never URL-decoded), or undefined. */
export function cookieValue(header: string | undefined, name: string): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

/**
 * The credentials a request carries: the token from `?token=` in the URL or an
 * `Authorization: token …` header, and this port's session cookie.
 */
export function requestCredentials(
  req: IncomingMessage,
  url: URL,
  port: number,
): { token: string | undefined; fromQuery: boolean; session: string | undefined } {
  const session = cookieValue(req.headers.cookie, sessionCookieName(port));
  const query = url.searchParams.get('token');
  if (query) return { token: query, fromQuery: true, session };
  const auth = req.headers.authorization;
  if (auth?.toLowerCase().startsWith('token ')) return { token: auth.slice(6).trim(), fromQuery: false, session };
  return { token: undefined, fromQuery: false, session };
}

/** Compares a secret in constant time; a missing one never matches. */
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
