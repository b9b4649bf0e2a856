import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { ClientMessage, ServerMessage } from '../../main/contract';
import { createLabClient, LabClientError } from '../../renderer/src/lib/lab-client';
import {
  backoffDelay,
  createWsTransport,
  parseServerMessage,
  socketUrl,
  addressWithoutToken,
  type OpenSocket,
  type SocketHandlers,
} from '../../renderer/src/lib/ws-transport';

/** A socket the test drives by hand: it records what the client sends. */
class FakeSocket {
  readonly sent: ClientMessage[] = [];
  closedByClient = false;

  constructor(
    readonly url: string,
    readonly handlers: SocketHandlers,
  ) {}

  open(): void {
    this.handlers.open();
  }

  reply(message: ServerMessage): void {
    this.handlers.message(JSON.stringify(message));
  }

  raw(data: string): void {
    this.handlers.message(data);
  }

  drop(code = 1006): void {
    this.handlers.close(code, '');
  }

  send(data: string): void {
    this.sent.push(JSON.parse(data) as ClientMessage);
  }

  close(): void {
    this.closedByClient = true;
  }
}

function setup(backoff = { initialMs: 100, maxMs: 1_000, factor: 2 }) {
  const sockets: FakeSocket[] = [];
  const openSocket: OpenSocket = (url, handlers) => {
    const socket = new FakeSocket(url, handlers);
    sockets.push(socket);
    return socket;
  };
  const transport = createWsTransport({ url: 'ws://127.0.0.1:5170/ws?token=abc', openSocket, backoff });
  const client = createLabClient(transport);
  const last = (): FakeSocket => {
    const socket = sockets.at(-1);
    if (!socket) throw new Error('no socket opened');
    return socket;
  };
  return { sockets, transport, client, last };
}

const engine = { name: 'tfjs', device: 'cpu', reason: 'forced', backend: 'cpu', version: '4.22.0' } as const;

describe('addressWithoutToken', () => {
  it('drops the token and keeps the path, other parameters and the hash', () => {
    expect(addressWithoutToken({ pathname: '/', search: '?token=ab12', hash: '' })).toBe('/');
    expect(addressWithoutToken({ pathname: '/', search: '?token=ab12', hash: '#/train' })).toBe('/#/train');
    expect(addressWithoutToken({ pathname: '/index.html', search: '?x=1&token=ab12&y=2', hash: '#/runs' })).toBe(
      '/index.html?x=1&y=2#/runs',
    );
  });

  it('leaves an address without a token alone', () => {
    expect(addressWithoutToken({ pathname: '/', search: '', hash: '#/train' })).toBeUndefined();
    expect(addressWithoutToken({ pathname: '/', search: '?tokens=1', hash: '' })).toBeUndefined();
  });
});

describe('socketUrl', () => {
  it('uses the page host, /ws and the page token', () => {
    expect(socketUrl({ protocol: 'http:', host: '127.0.0.1:5170', search: '?token=ab12' })).toBe(
      'ws://127.0.0.1:5170/ws?token=ab12',
    );
    expect(socketUrl({ protocol: 'https:', host: 'lab.example:443', search: '?x=1&token=a%2Bb' })).toBe(
      'wss://lab.example:443/ws?token=a%2Bb',
    );
  });

  it('leaves the token out when the page has none (the server cookie may still authorise)', () => {
    expect(socketUrl({ protocol: 'http:', host: 'localhost:1', search: '' })).toBe('ws://localhost:1/ws');
  });
});

describe('parseServerMessage', () => {
  it('accepts results and known events only', () => {
    expect(parseServerMessage('{"type":"result","id":1,"result":{"ok":true,"value":1}}')).toMatchObject({
      type: 'result',
      id: 1,
    });
    expect(parseServerMessage('{"type":"event","event":"log","payload":{}}')).toMatchObject({
      type: 'event',
      event: 'log',
    });
    expect(parseServerMessage('{"type":"event","event":"nope","payload":{}}')).toBeUndefined();
    expect(parseServerMessage('{"type":"result","id":"1"}')).toBeUndefined();
    expect(parseServerMessage('not json')).toBeUndefined();
    expect(parseServerMessage('null')).toBeUndefined();
  });
});

describe('backoffDelay', () => {
  it('doubles up to the cap', () => {
    const backoff = { initialMs: 500, maxMs: 10_000, factor: 2 };
    expect([0, 1, 2, 3, 4, 5, 6].map((n) => backoffDelay(n, backoff))).toEqual([
      500, 1000, 2000, 4000, 8000, 10_000, 10_000,
    ]);
  });
});

describe('WebSocket transport', () => {
  beforeEach(() => {
    vi.useFakeTimers();
    vi.spyOn(console, 'warn').mockImplementation(() => {});
  });

  afterEach(() => {
    vi.useRealTimers();
    vi.restoreAllMocks();
  });

  it('opens one socket to the given URL and reports connecting → connected', () => {
    const { sockets, client, last } = setup();
    const states: string[] = [];
    client.onConnectionChange((state) => states.push(state));
    expect(sockets).toHaveLength(1);
    expect(last().url).toBe('ws://127.0.0.1:5170/ws?token=abc');
    expect(client.connection).toBe('connecting');
    last().open();
    expect(client.connection).toBe('connected');
    expect(states).toEqual(['connected']);
  });

  it('has one method per contract call, each sending {type:"call", id, method, args}', async () => {
    const { client, last } = setup();
    last().open();
    const pending = client.updateSettings({ theme: 'dark' });
    expect(last().sent).toEqual([{ type: 'call', id: 1, method: 'updateSettings', args: [{ theme: 'dark' }] }]);
    last().reply({ type: 'result', id: 1, result: { ok: true, value: { theme: 'dark' } } });
    await expect(pending).resolves.toEqual({ theme: 'dark' });
  });

  it('leaves out trailing undefined arguments (JSON would send null, which the schemas refuse)', () => {
    const { client, last } = setup();
    last().open();
    void client.browseFolder(undefined);
    void client.describeModel({ preset: 'micro' }, undefined);
    expect(last().sent).toEqual([
      { type: 'call', id: 1, method: 'browseFolder', args: [] },
      { type: 'call', id: 2, method: 'describeModel', args: [{ preset: 'micro' }] },
    ]);
  });

  it('queues calls made before the socket opens and sends them in order once it does', async () => {
    const { client, last } = setup();
    const info = client.getAppInfo();
    const settings = client.getSettings();
    expect(last().sent).toEqual([]);
    last().open();
    expect(last().sent.map((m) => [m.id, m.method])).toEqual([
      [1, 'getAppInfo'],
      [2, 'getSettings'],
    ]);
    // Answers may come back in any order; ids match them up.
    last().reply({ type: 'result', id: 2, result: { ok: true, value: { theme: 'light' } } });
    last().reply({ type: 'result', id: 1, result: { ok: true, value: { name: 'Xception Lab' } } });
    await expect(settings).resolves.toEqual({ theme: 'light' });
    await expect(info).resolves.toEqual({ name: 'Xception Lab' });
  });

  it('turns ok:false into a LabClientError with the code and the user-facing message', async () => {
    const { client, last } = setup();
    last().open();
    const pending = client.updateSettings({ theme: 'dark' });
    last().reply({
      type: 'result',
      id: 1,
      result: {
        ok: false,
        error: { code: 'INVALID_ARGUMENT', message: 'Invalid arguments for updateSettings at 0.theme.' },
      },
    });
    const error = await pending.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LabClientError);
    expect(error).toMatchObject({
      code: 'INVALID_ARGUMENT',
      message: 'Invalid arguments for updateSettings at 0.theme.',
    });
  });

  it('rejects an answer that is not a CallResult as BAD_RESPONSE', async () => {
    const { client, last } = setup();
    last().open();
    const pending = client.getEngine();
    last().reply({ type: 'result', id: 1, result: { nope: true } as never });
    await expect(pending).rejects.toMatchObject({ code: 'BAD_RESPONSE' });
  });

  it('resolves a call that returns nothing (its {ok: true} has no value after JSON)', async () => {
    const { client, last } = setup();
    last().open();
    const pending = client.deleteConfig('old');
    last().raw(JSON.stringify({ type: 'result', id: 1, result: { ok: true, value: undefined } }));
    await expect(pending).resolves.toBeUndefined();
  });

  it('ignores unreadable frames and results for unknown ids', async () => {
    const { client, last } = setup();
    last().open();
    const pending = client.getEngine();
    last().raw('{{{');
    last().reply({ type: 'result', id: 99, result: { ok: true, value: 'stray' } });
    last().reply({ type: 'result', id: 1, result: { ok: true, value: engine } });
    await expect(pending).resolves.toEqual(engine);
  });

  it('dispatches pushed events to on() subscribers until they unsubscribe', () => {
    const { client, last } = setup();
    last().open();
    const engines: unknown[] = [];
    const logs: unknown[] = [];
    const off = client.on('engine', (info) => engines.push(info));
    client.on('log', (entry) => logs.push(entry.message));
    last().reply({ type: 'event', event: 'engine', payload: engine });
    last().reply({
      type: 'event',
      event: 'log',
      payload: { level: 'info', message: 'hello', time: '2025-01-01T00:00:00Z' },
    });
    off();
    last().reply({ type: 'event', event: 'engine', payload: engine });
    expect(engines).toEqual([engine]);
    expect(logs).toEqual(['hello']);
  });

  it('keeps delivering events when one subscriber throws', () => {
    const { client, last } = setup();
    vi.spyOn(console, 'error').mockImplementation(() => {});
    last().open();
    const seen: string[] = [];
    client.on('menu', () => {
      throw new Error('boom');
    });
    client.on('menu', (event) => seen.push(event.command));
    last().reply({ type: 'event', event: 'menu', payload: { command: 'export-report' } });
    expect(seen).toEqual(['export-report']);
  });

  it('rejects pending calls with a clear DISCONNECTED error when the socket closes', async () => {
    const { client, last } = setup();
    last().open();
    const pending = client.getEngine();
    last().drop();
    const error = await pending.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LabClientError);
    expect(error).toMatchObject({ code: 'DISCONNECTED' });
    expect((error as Error).message).toMatch(/Lost the connection to the lab server before "getEngine" finished/);
    expect(client.connection).toBe('reconnecting');
  });

  it('says it could not reach the server when the socket never opened', async () => {
    const { client, last } = setup();
    const pending = client.getSettings();
    last().drop();
    await expect(pending).rejects.toThrow(/Could not reach the lab server for "getSettings".*\?token=/);
  });

  it('reconnects with exponential backoff, resets it after a success, and reports the state', async () => {
    const { sockets, client, last } = setup({ initialMs: 100, maxMs: 1_000, factor: 2 });
    const states: string[] = [];
    client.onConnectionChange((state) => states.push(state));
    last().open();
    last().drop();
    expect(client.connection).toBe('reconnecting');

    await vi.advanceTimersByTimeAsync(99);
    expect(sockets).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(sockets).toHaveLength(2);
    last().drop(); // second attempt fails: wait 200 ms
    await vi.advanceTimersByTimeAsync(199);
    expect(sockets).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(1);
    expect(sockets).toHaveLength(3);
    last().open();
    expect(client.connection).toBe('connected');
    last().drop(); // after a success the delay starts again at 100 ms
    await vi.advanceTimersByTimeAsync(100);
    expect(sockets).toHaveLength(4);
    expect(states).toEqual(['connected', 'reconnecting', 'connected', 'reconnecting']);
  });

  it('sends calls made while reconnecting on the next socket, and keeps event subscriptions', async () => {
    const { client, last } = setup();
    const logs: string[] = [];
    client.on('log', (entry) => logs.push(entry.message));
    last().open();
    last().drop();
    const pending = client.getLog();
    await vi.advanceTimersByTimeAsync(100);
    expect(last().sent).toEqual([]);
    last().open();
    expect(last().sent).toEqual([{ type: 'call', id: 1, method: 'getLog', args: [] }]);
    last().reply({ type: 'result', id: 1, result: { ok: true, value: [] } });
    last().reply({ type: 'event', event: 'log', payload: { level: 'warn', message: 'after reconnect', time: 't' } });
    await expect(pending).resolves.toEqual([]);
    expect(logs).toEqual(['after reconnect']);
  });

  it('ignores a late close from a socket it already replaced', async () => {
    const { sockets, client, last } = setup();
    const first = last();
    first.open();
    first.drop();
    await vi.advanceTimersByTimeAsync(100);
    last().open();
    first.drop(); // stale
    expect(client.connection).toBe('connected');
    expect(sockets).toHaveLength(2);
  });

  it('close() fails pending calls, closes the socket and stops reconnecting', async () => {
    const { sockets, client, last } = setup();
    last().open();
    const pending = client.getEngine();
    client.close();
    await expect(pending).rejects.toMatchObject({ code: 'CLOSED' });
    expect(last().closedByClient).toBe(true);
    last().drop();
    await vi.advanceTimersByTimeAsync(10_000);
    expect(sockets).toHaveLength(1);
    await expect(client.getSettings()).rejects.toMatchObject({ code: 'CLOSED' });
  });

  it('treats a socket that cannot even be constructed as a failed attempt', async () => {
    vi.spyOn(console, 'error').mockImplementation(() => {});
    let attempts = 0;
    const transport = createWsTransport({
      url: 'ws://bad',
      openSocket: () => {
        attempts++;
        throw new SyntaxError('bad URL');
      },
      backoff: { initialMs: 10 },
    });
    expect(transport.connection).toBe('reconnecting');
    await vi.advanceTimersByTimeAsync(10);
    expect(attempts).toBe(2);
    transport.close();
  });
});
