/**
 * Hostile clients against the browser-mode server: malformed handshakes and broken WebSocket
 * frames sent as raw bytes, garbage messages. After each one the server must still be up and
 * answer a well-behaved client. Loopback only; every wait is bounded by the socket closing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { connect as netConnect, type Socket } from 'node:net';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { WebSocket } from 'ws';
import type { ServerMessage } from '../../../main/contract';
import { maxMessageBytes } from '../../../main/server/server';

/** How long a raw exchange may take before the test gives up on it (generous: the machine is busy). */
const exchangeMs = 20_000;

/** The server under test runs in its own process, so "the process stays up" is checked for real. */
let child: ChildProcess;
let childOutput = '';
let server: { port: number; token: string };
let hostHeader: string;
let dir: string;
const appInfo = { name: 'Xception Lab', version: '0.0.0' };

/**
 * Starts startServer() in a child process with a minimal engine that answers getAppInfo. Node 20
 * cannot run TypeScript: the server module is bundled for the child, as the app bundles it.
 */
async function startChildServer(): Promise<void> {
  dir = await mkdtemp(join(tmpdir(), 'xlab-fuzz-'));
  await writeFile(join(dir, 'index.html'), '<!doctype html><title>lab</title>');
  const bundle = join(dir, 'server.mjs');
  await build({
    entryPoints: [fileURLToPath(new URL('../../../main/server/server.ts', import.meta.url))],
    outfile: bundle,
    bundle: true,
    platform: 'node',
    format: 'esm',
    external: ['bufferutil', 'utf-8-validate'],
    banner: {
      js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);",
    },
    logLevel: 'silent',
  });
  const script = `
    const { startServer } = await import(${JSON.stringify(pathToFileURL(bundle).href)});
    const lab = { events: { on: () => () => {} }, getAppInfo: async () => (${JSON.stringify(appInfo)}) };
    const server = await startServer({ lab, staticDir: ${JSON.stringify(dir)}, port: 0 });
    process.stdout.write(JSON.stringify({ port: server.port, token: server.token }) + '\\n');`;
  child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'pipe'] });
  child.stderr!.on('data', (chunk: Buffer) => (childOutput += chunk.toString()));
  server = await new Promise((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      if (out.includes('\n')) resolve(JSON.parse(out) as { port: number; token: string });
    });
    child.once('exit', (code) => reject(new Error(`the server exited early (${code}): ${childOutput}`)));
  });
  hostHeader = `127.0.0.1:${server.port}`;
}

/** Writes raw bytes to the server and collects everything it answers until it closes the connection. */
function exchange(bytes: Buffer | string, { closeAfterMs }: { closeAfterMs?: number } = {}): Promise<Buffer> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    const socket = netConnect(server.port, '127.0.0.1');
    const done = (): void => {
      clearTimeout(timer);
      resolve(Buffer.concat(chunks));
    };
    const timer = setTimeout(() => socket.destroy(), closeAfterMs ?? exchangeMs);
    socket.on('data', (chunk) => chunks.push(chunk));
    socket.on('error', () => {});
    socket.on('close', done);
    socket.write(bytes);
  });
}

/** A raw WebSocket handshake request for `path`, with headers added or replaced. */
function handshake(path: string, headers: Record<string, string | null> = {}, extraLines: string[] = []): string {
  const base: Record<string, string | null> = {
    Host: hostHeader,
    Upgrade: 'websocket',
    Connection: 'Upgrade',
    'Sec-WebSocket-Key': 'dGhlIHNhbXBsZSBub25jZQ==',
    'Sec-WebSocket-Version': '13',
    ...headers,
  };
  const lines = Object.entries(base)
    .filter(([, value]) => value !== null)
    .map(([name, value]) => `${name}: ${value}`);
  return `GET ${path} HTTP/1.1\r\n${[...lines, ...extraLines].join('\r\n')}\r\n\r\n`;
}

const statusOf = (answer: Buffer): number => Number(/^HTTP\/1\.1 (\d{3})/.exec(answer.toString('latin1'))?.[1] ?? 0);

/** Opens a raw socket, completes a valid handshake (101), and resolves with the socket. */
function upgraded(): Promise<{ socket: Socket; closed: Promise<Buffer> }> {
  return new Promise((resolve, reject) => {
    const socket = netConnect(server.port, '127.0.0.1');
    const chunks: Buffer[] = [];
    const timer = setTimeout(() => socket.destroy(), exchangeMs);
    let open = false;
    const closed = new Promise<Buffer>((done) =>
      socket.on('close', () => {
        clearTimeout(timer);
        if (!open) reject(new Error('the server closed the connection during the handshake'));
        done(Buffer.concat(chunks));
      }),
    );
    socket.on('error', () => {});
    socket.on('data', (chunk) => {
      if (open) {
        chunks.push(chunk);
        // Answer the server's close frame as a client should, so it hangs up at once.
        if (closeCode(Buffer.concat(chunks)) !== undefined)
          socket.write(frame({ opcode: 0x8, payload: Buffer.alloc(0) }));
        return;
      }
      const text = chunk.toString('latin1');
      const end = text.indexOf('\r\n\r\n');
      if (!text.startsWith('HTTP/1.1 101')) return reject(new Error(`handshake refused: ${text.split('\r\n')[0]}`));
      open = true;
      if (end + 4 < chunk.length) chunks.push(chunk.subarray(end + 4));
      resolve({ socket, closed });
    });
    socket.write(handshake(`/ws?token=${server.token}`));
  });
}

/** One WebSocket frame, built by hand so it can break the rules. */
function frame(options: {
  opcode: number;
  payload: Buffer;
  fin?: boolean;
  rsv?: number;
  masked?: boolean;
  declaredLength?: number;
}): Buffer {
  const { opcode, payload, fin = true, rsv = 0, masked = true } = options;
  const length = options.declaredLength ?? payload.length;
  const head: number[] = [(fin ? 0x80 : 0) | (rsv << 4) | opcode];
  const maskBit = masked ? 0x80 : 0;
  if (length < 126) head.push(maskBit | length);
  else if (length < 65536) head.push(maskBit | 126, length >> 8, length & 0xff);
  else {
    const big = Buffer.alloc(8);
    big.writeBigUInt64BE(BigInt(length));
    head.push(maskBit | 127, ...big);
  }
  if (!masked) return Buffer.concat([Buffer.from(head), payload]);
  const mask = Buffer.from([0x12, 0x34, 0x56, 0x78]);
  const body = Buffer.from(payload.map((byte, i) => byte ^ mask[i % 4]!));
  return Buffer.concat([Buffer.from(head), mask, body]);
}

/** The close code in the server's close frame at the start of `bytes` (unmasked, server to client). */
function closeCode(bytes: Buffer): number | undefined {
  if (bytes.length < 4 || (bytes[0]! & 0x0f) !== 0x8) return undefined;
  return bytes.readUInt16BE(2);
}

/** A well-behaved client's socket, once open. */
async function openSocket(): Promise<WebSocket> {
  const ws = new WebSocket(`ws://127.0.0.1:${server.port}/ws?token=${server.token}`);
  await new Promise((resolve, reject) => {
    ws.once('open', resolve);
    ws.once('error', reject);
  });
  return ws;
}

/** The server process is still running, and a well-behaved client still gets answers. */
async function expectServerAnswers(): Promise<void> {
  expect({ exitCode: child.exitCode, signal: child.signalCode, stderr: childOutput }).toEqual({
    exitCode: null,
    signal: null,
    stderr: '',
  });
  const ws = await openSocket();
  try {
    const reply = new Promise<ServerMessage>((resolve) =>
      ws.once('message', (data) => resolve(JSON.parse(data.toString()) as ServerMessage)),
    );
    ws.send(JSON.stringify({ type: 'call', id: 1, method: 'getAppInfo', args: [] }));
    expect(await reply).toEqual({ type: 'result', id: 1, result: { ok: true, value: appInfo } });
  } finally {
    ws.terminate();
  }
}

describe('browser-mode server under hostile input', () => {
  beforeAll(startChildServer, 60_000);
  afterAll(async () => {
    child?.kill();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  const badHandshakes: [string, () => string, number][] = [
    ['the path //', () => handshake('//'), 400],
    ['the path // with the token', () => handshake(`//?token=${server.token}`), 400],
    ['the path http://[', () => handshake('http://['), 400],
    ['the path /%', () => handshake('/%'), 401],
    ['the path /%zz with the token', () => handshake(`/%zz?token=${server.token}`), 404],
    [
      'a malformed old-style token cookie',
      () => handshake('/ws', { Cookie: `xlab_token_${server.port}=%E0%A4%A` }),
      401,
    ],
    ['a malformed session cookie', () => handshake('/ws', { Cookie: `xlab_session_${server.port}=%` }), 401],
    ['a cookie header of separators', () => handshake('/ws', { Cookie: ';;==;%;=' }), 401],
    [
      'the raw token as a cookie',
      () => handshake('/ws', { Cookie: `xlab_session_${server.port}=${server.token}` }),
      401,
    ],
    ['no Host header', () => handshake(`/ws?token=${server.token}`, { Host: null }), 403],
    ['a foreign Host (DNS rebinding)', () => handshake(`/ws?token=${server.token}`, { Host: 'evil.example' }), 403],
    ['a foreign Origin', () => handshake(`/ws?token=${server.token}`, { Origin: 'http://evil.example' }), 403],
    ['no Sec-WebSocket-Key', () => handshake(`/ws?token=${server.token}`, { 'Sec-WebSocket-Key': null }), 400],
    ['a bad Sec-WebSocket-Key', () => handshake(`/ws?token=${server.token}`, { 'Sec-WebSocket-Key': '%%%' }), 400],
    [
      'two Sec-WebSocket-Key headers',
      () => handshake(`/ws?token=${server.token}`, {}, ['Sec-WebSocket-Key: AAAAAAAAAAAAAAAAAAAAAA==']),
      400,
    ],
    [
      'an unknown WebSocket version',
      () => handshake(`/ws?token=${server.token}`, { 'Sec-WebSocket-Version': '99' }),
      400,
    ],
    ['an upgrade to something else', () => handshake(`/ws?token=${server.token}`, { Upgrade: 'h2c' }), 400],
    ['a header without a colon', () => handshake(`/ws?token=${server.token}`, {}, ['this is not a header']), 400],
    ['a wrong token', () => handshake('/ws?token=nope'), 401],
  ];

  for (const [what, request, status] of badHandshakes) {
    it(`answers a handshake with ${what} with ${status} and keeps serving`, async () => {
      expect(statusOf(await exchange(request()))).toBe(status);
      await expectServerAnswers();
    });
  }

  it('survives binary garbage instead of HTTP', async () => {
    await exchange(Buffer.from([0, 255, 13, 10, 13, 10, 1, 2, 3]));
    await expectServerAnswers();
  });

  it('survives a client that hangs up in the middle of a handshake', async () => {
    await exchange(handshake(`/ws?token=${server.token}`).slice(0, 40), { closeAfterMs: 200 });
    await expectServerAnswers();
  });

  const text = (s: string): Buffer => Buffer.from(s, 'utf8');
  const badFrames: [string, () => Buffer, number][] = [
    ['an unmasked frame', () => frame({ opcode: 0x1, payload: text('{}'), masked: false }), 1002],
    ['reserved bit 1 set (no extension agreed)', () => frame({ opcode: 0x1, payload: text('{}'), rsv: 0b100 }), 1002],
    ['reserved bit 2 set', () => frame({ opcode: 0x1, payload: text('{}'), rsv: 0b010 }), 1002],
    ['reserved bit 3 set', () => frame({ opcode: 0x1, payload: text('{}'), rsv: 0b001 }), 1002],
    ['a reserved opcode', () => frame({ opcode: 0x3, payload: text('{}') }), 1002],
    [
      'invalid UTF-8 in a text frame',
      () => frame({ opcode: 0x1, payload: Buffer.from([0x7b, 0xff, 0xfe, 0x7d]) }),
      1007,
    ],
    ['a fragmented ping', () => frame({ opcode: 0x9, payload: text('x'), fin: false }), 1002],
    ['a continuation with nothing to continue', () => frame({ opcode: 0x0, payload: text('x') }), 1002],
    [
      `a message declared bigger than ${maxMessageBytes} bytes`,
      () => frame({ opcode: 0x1, payload: Buffer.alloc(0), declaredLength: maxMessageBytes + 1 }),
      1009,
    ],
    ['not JSON', () => frame({ opcode: 0x1, payload: text('{"type":"call",') }), 1007],
    ['a binary message', () => frame({ opcode: 0x2, payload: Buffer.from([1, 2, 3]) }), 1003],
    ['JSON that is not a call and has no id', () => frame({ opcode: 0x1, payload: text('[1,2,3]') }), 1008],
  ];

  for (const [what, bytes, code] of badFrames) {
    it(`closes a socket that sends ${what} with ${code} and keeps serving`, async () => {
      const { socket, closed } = await upgraded();
      socket.write(bytes());
      expect(closeCode(await closed)).toBe(code);
      await expectServerAnswers();
    });
  }

  it('closes a socket whose message really is over the limit (1009) and keeps serving', async () => {
    const ws = await openSocket();
    const closed = new Promise<number>((resolve) => ws.once('close', (code) => resolve(code)));
    ws.on('error', () => {});
    ws.send('x'.repeat(maxMessageBytes + 1));
    expect(await closed).toBe(1009);
    await expectServerAnswers();
  });

  it('answers garbage calls that carry an id with an error, on the same socket', async () => {
    const ws = await openSocket();
    const garbage = [
      { id: 7 },
      { type: 'call', id: 8, method: 'getAppInfo', args: 'not a list' },
      { type: 'call', id: 9, method: 42, args: [] },
      { type: 'nonsense', id: 10 },
      { type: 'call', id: 11, method: '__proto__', args: [] },
      { type: 'call', id: 12, method: 'constructor', args: [] },
      { type: 'call', id: 13, method: 'getRun', args: [{ length: 1e9 }] },
    ];
    for (const message of garbage) {
      const reply = new Promise<ServerMessage>((resolve) =>
        ws.once('message', (data) => resolve(JSON.parse(data.toString()) as ServerMessage)),
      );
      ws.send(JSON.stringify(message));
      expect(await reply).toMatchObject({ type: 'result', id: message.id, result: { ok: false } });
    }
    ws.terminate();
    await expectServerAnswers();
  });
});
