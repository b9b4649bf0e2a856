import { describe, expect, it } from 'vitest';
import type { IncomingMessage } from 'node:http';
import {
  checkOrigin,
  cookieValue,
  isLoopbackHost,
  parseRequestUrl,
  requestCredentials,
  sessionCookieName,
  sessionValue,
  tokenMatches,
} from '../../../main/server/auth';

const req = (url: string, headers: Record<string, string> = {}) => ({ url, headers }) as unknown as IncomingMessage;
const credentials = (url: string, headers: Record<string, string> = {}) =>
  requestCredentials(req(url, headers), parseRequestUrl(url)!, 5170);

describe('browser-mode auth', () => {
  it('finds the token in the query or an Authorization header, and this port’s session cookie', () => {
    expect(credentials('/?token=abc')).toEqual({ token: 'abc', fromQuery: true, session: undefined });
    expect(credentials('/', { authorization: 'token abc' })).toEqual({
      token: 'abc',
      fromQuery: false,
      session: undefined,
    });
    expect(credentials('/', { cookie: 'x=1; xlab_session_5170=s1' })).toEqual({
      token: undefined,
      fromQuery: false,
      session: 's1',
    });
    expect(credentials('/', { cookie: 'xlab_session_5171=s1' }).session).toBeUndefined();
  });

  it('never takes a cookie as the token', () => {
    expect(credentials('/', { cookie: 'xlab_token_5170=abc; token=abc' }).token).toBeUndefined();
  });

  it('reads cookie values as they are, whatever they contain', () => {
    expect(cookieValue('a=1; b=%E0%A4%A; c', 'b')).toBe('%E0%A4%A');
    expect(cookieValue(';;==;%;=', 'b')).toBeUndefined();
    expect(cookieValue('b=x=y', 'b')).toBe('x=y');
    expect(cookieValue(undefined, 'b')).toBeUndefined();
  });

  it('derives a session value per port that is not the token and does not reveal it', () => {
    const token = 'f'.repeat(48);
    const session = sessionValue(token, 5170);
    expect(session).not.toContain(token);
    expect(session).toBe(sessionValue(token, 5170));
    expect(session).not.toBe(sessionValue(token, 5171));
    expect(session).not.toBe(sessionValue('e'.repeat(48), 5170));
    expect(sessionCookieName(5170)).toBe('xlab_session_5170');
  });

  it('cannot parse some request targets; those get a 400, not an exception', () => {
    expect(parseRequestUrl('//')).toBeUndefined();
    expect(parseRequestUrl('http://[')).toBeUndefined();
    expect(parseRequestUrl('/ws?token=a')?.pathname).toBe('/ws');
  });

  it('compares tokens exactly', () => {
    expect(tokenMatches('abc', 'abc')).toBe(true);
    expect(tokenMatches('abd', 'abc')).toBe(false);
    expect(tokenMatches('ab', 'abc')).toBe(false);
    expect(tokenMatches(undefined, 'abc')).toBe(false);
  });

  it('rejects foreign origins and, on loopback, foreign Host names (DNS rebinding)', () => {
    expect(checkOrigin(req('/', { host: '127.0.0.1:5170', origin: 'http://127.0.0.1:5170' }), true)).toEqual({
      ok: true,
    });
    expect(checkOrigin(req('/', { host: '127.0.0.1:5170' }), true)).toEqual({ ok: true });
    expect(checkOrigin(req('/', { host: '127.0.0.1:5170', origin: 'http://evil.example' }), true).ok).toBe(false);
    expect(checkOrigin(req('/', { host: 'evil.example:5170', origin: 'http://evil.example:5170' }), true).ok).toBe(
      false,
    );
    expect(checkOrigin(req('/', { host: 'gpu-box:5170', origin: 'http://gpu-box:5170' }), false)).toEqual({ ok: true });
  });

  it('knows loopback names', () => {
    for (const host of ['127.0.0.1', '127.1.2.3', 'localhost', '::1', '[::1]']) expect(isLoopbackHost(host)).toBe(true);
    for (const host of ['0.0.0.0', '192.168.1.2', 'example.com']) expect(isLoopbackHost(host)).toBe(false);
  });
});
