import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtemp, mkdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect as netConnect } from 'node:net';
import { WebSocket } from 'ws';
import { labMethods, type ServerMessage } from '../../../main/contract';
import { fakeLab, sampleArgs, sampleResults } from '../../helpers/fake-lab';
import type { Lab } from '../../../main/lab';
import { startServer, type RunningServer } from '../../../main/server/server';

/** Opens a socket and resolves once open, or with the HTTP status it was refused with. */
function connect(url: string, headers: Record<string, string> = {}): Promise<WebSocket | number> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { headers });
    ws.once('open', () => resolve(ws));
    ws.once('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
    ws.once('error', reject);
  });
}

function nextMessage(ws: WebSocket): Promise<ServerMessage> {
  return new Promise((resolve) => ws.once('message', (data) => resolve(JSON.parse(data.toString()) as ServerMessage)));
}

describe('browser-mode server', () => {
  let server: RunningServer;
  let lab: Lab;
  let base: string;

  beforeAll(async () => {
    const dir = await mkdtemp(join(tmpdir(), 'xlab-static-'));
    await mkdir(join(dir, 'assets'));
    await writeFile(join(dir, 'index.html'), '<!doctype html><title>lab</title>');
    await writeFile(join(dir, 'assets', 'app.js'), 'console.log(1)');
    lab = fakeLab();
    server = await startServer({ lab, staticDir: dir, port: 0 });
    base = `http://127.0.0.1:${server.port}`;
  });
  afterAll(() => server.close());

  it('prints a loopback URL carrying a random token', () => {
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/\?token=[0-9a-f]{48}$/);
  });

  it('refuses HTTP without the token (401) and serves the page with it, setting a cookie', async () => {
    const refused = await fetch(`${base}/`);
    expect(refused.status).toBe(401);
    expect(await refused.text()).toContain('?token=');
    const page = await fetch(server.url);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-security-policy')).toContain("default-src 'self'");
    const cookie = page.headers.get('set-cookie')!;
    expect(cookie).toMatch(/HttpOnly; SameSite=Strict/);
    const asset = await fetch(`${base}/assets/app.js`, { headers: { cookie: cookie.split(';')[0]! } });
    expect(asset.status).toBe(200);
    expect(asset.headers.get('content-type')).toContain('javascript');
    expect((await fetch(`${base}/assets/app.js?token=wrong`)).status).toBe(401);
    expect((await fetch(`${base}/nope.js?token=${server.token}`)).status).toBe(404);
  });

  it('logs in with a session cookie that is not the token, for this port only', async () => {
    const page = await fetch(server.url);
    const [pair, ...attributes] = page.headers.get('set-cookie')!.split('; ');
    const [name, value] = pair!.split('=');
    expect(name).toBe(`xlab_session_${server.port}`);
    expect(value).not.toContain(server.token);
    expect(attributes).toEqual(['HttpOnly', 'SameSite=Strict', 'Path=/']);
    // The cookie opens the page and the socket after the token has left the address bar.
    expect((await fetch(`${base}/`, { headers: { cookie: pair! } })).status).toBe(200);
    const ws = await connect(`ws://127.0.0.1:${server.port}/ws`, { cookie: pair!, origin: base });
    expect(ws).toBeInstanceOf(WebSocket);
    (ws as WebSocket).close();
    // Another port's cookie name, or the token itself in a cookie, logs nobody in.
    expect((await fetch(`${base}/`, { headers: { cookie: `xlab_session_${server.port + 1}=${value}` } })).status).toBe(
      401,
    );
    expect((await fetch(`${base}/`, { headers: { cookie: `xlab_token_${server.port}=${server.token}` } })).status).toBe(
      401,
    );
    expect(
      (await fetch(`${base}/`, { headers: { cookie: `xlab_session_${server.port}=${server.token}` } })).status,
    ).toBe(401);
  });

  it('tells a user without the token where the link was printed, however browser mode was started', async () => {
    const text = await (await fetch(`${base}/`)).text();
    for (const start of ['xlab serve', 'npm run serve', 'npm start']) expect(text).toContain(start);
    expect(text).toContain('?token=');
  });

  it('answers 400 to a request target it cannot parse, and keeps serving', async () => {
    const answer = await new Promise<string>((resolve) => {
      let data = '';
      const socket = netConnect(server.port, '127.0.0.1', () =>
        socket.write(`GET // HTTP/1.1\r\nHost: 127.0.0.1:${server.port}\r\nConnection: close\r\n\r\n`),
      );
      socket.on('data', (chunk) => (data += chunk.toString()));
      socket.on('close', () => resolve(data));
      socket.on('end', () => socket.end());
      setTimeout(() => socket.destroy(), 20_000);
    });
    expect(answer).toMatch(/^HTTP\/1\.1 400/);
    expect((await fetch(server.url)).status).toBe(200);
  });

  it('rejects a foreign Origin even with the token', async () => {
    const res = await fetch(server.url, { headers: { origin: 'http://evil.example' } });
    expect(res.status).toBe(403);
    expect(
      await connect(`ws://127.0.0.1:${server.port}/ws?token=${server.token}`, { origin: 'http://evil.example' }),
    ).toBe(403);
  });

  it('refuses a WebSocket without the token', async () => {
    expect(await connect(`ws://127.0.0.1:${server.port}/ws`)).toBe(401);
  });

  it('answers every contract method over the socket and pushes events', async () => {
    const ws = (await connect(`ws://127.0.0.1:${server.port}/ws?token=${server.token}`, { origin: base })) as WebSocket;
    let id = 0;
    for (const method of labMethods) {
      const reply = nextMessage(ws);
      ws.send(JSON.stringify({ type: 'call', id: ++id, method, args: sampleArgs[method] }));
      expect(await reply).toEqual({ type: 'result', id, result: { ok: true, value: sampleResults[method] } });
      expect(lab[method]).toHaveBeenCalledWith(...sampleArgs[method]);
    }
    const invalid = nextMessage(ws);
    ws.send(JSON.stringify({ type: 'call', id: 99, method: 'updateSettings', args: [{ theme: 'blue' }] }));
    expect(await invalid).toMatchObject({ id: 99, result: { ok: false, error: { code: 'INVALID_ARGUMENT' } } });
    const unknown = nextMessage(ws);
    ws.send(JSON.stringify({ type: 'call', id: 100, method: 'rmRf', args: [] }));
    expect(await unknown).toMatchObject({ id: 100, result: { ok: false, error: { code: 'UNKNOWN_METHOD' } } });

    const event = nextMessage(ws);
    lab.events.emit('log', { level: 'warn', message: 'careful', time: 't' });
    expect(await event).toEqual({
      type: 'event',
      event: 'log',
      payload: { level: 'warn', message: 'careful', time: 't' },
    });
    ws.close();
  });

  it('says clearly when the port is taken', async () => {
    await expect(startServer({ lab, staticDir: '/tmp', port: server.port })).rejects.toThrow(
      `Port ${server.port} on 127.0.0.1 is already in use: pass another with --port, or --port 0 for any free one.`,
    );
  });
});
