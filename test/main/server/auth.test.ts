import { describe, expect, it } from 'vitest';
import type { IncomingMessage } from 'node:http';
import { checkOrigin, isLoopbackHost, requestToken, tokenMatches } from '../../../main/server/auth';

const req = (url: string, headers: Record<string, string> = {}) => ({ url, headers }) as unknown as IncomingMessage;

describe('browser-mode auth', () => {
  it('finds the token in the query, an Authorization header, or this port’s cookie', () => {
    expect(requestToken(req('/?token=abc'), 5170)).toEqual({ token: 'abc', fromQuery: true });
    expect(requestToken(req('/', { authorization: 'token abc' }), 5170)).toEqual({ token: 'abc', fromQuery: false });
    expect(requestToken(req('/', { cookie: 'x=1; xlab_token_5170=abc' }), 5170).token).toBe('abc');
    expect(requestToken(req('/', { cookie: 'xlab_token_5171=abc' }), 5170).token).toBeUndefined();
  });

  it('compares tokens exactly', () => {
    expect(tokenMatches('abc', 'abc')).toBe(true);
    expect(tokenMatches('abd', 'abc')).toBe(false);
    expect(tokenMatches('ab', 'abc')).toBe(false);
    expect(tokenMatches(undefined, 'abc')).toBe(false);
  });

  it('rejects foreign origins and, on loopback, foreign Host names (DNS rebinding)', () => {
    expect(checkOrigin(req('/', { host: '127.0.0.1:5170', origin: 'http://127.0.0.1:5170' }), true)).toEqual({ ok: true });
    expect(checkOrigin(req('/', { host: '127.0.0.1:5170' }), true)).toEqual({ ok: true });
    expect(checkOrigin(req('/', { host: '127.0.0.1:5170', origin: 'http://evil.example' }), true).ok).toBe(false);
    expect(checkOrigin(req('/', { host: 'evil.example:5170', origin: 'http://evil.example:5170' }), true).ok).toBe(false);
    expect(checkOrigin(req('/', { host: 'gpu-box:5170', origin: 'http://gpu-box:5170' }), false)).toEqual({ ok: true });
  });

  it('knows loopback names', () => {
    for (const host of ['127.0.0.1', '127.1.2.3', 'localhost', '::1', '[::1]']) expect(isLoopbackHost(host)).toBe(true);
    for (const host of ['0.0.0.0', '192.168.1.2', 'example.com']) expect(isLoopbackHost(host)).toBe(false);
  });
});
