import {
  labEvents,
  type CallResult,
  type ClientMessage,
  type LabEvent,
  type LabEvents,
  type LabMethod,
  type ServerMessage,
} from '../../../main/contract';
import { Emitter } from '../../../main/events';
import { type ConnectionState, type EventListener, type Transport } from './transport';

/** What the transport hears from one socket. */
export interface SocketHandlers {
  open(): void;
  message(data: string): void;
  close(code: number, reason: string): void;
}

/** One open-or-opening socket. */
export interface SocketConnection {
  send(data: string): void;
  close(): void;
}

/** Opens a socket; the browser passes a `WebSocket` wrapper, tests a fake. */
export type OpenSocket = (url: string, handlers: SocketHandlers) => SocketConnection;

export interface Backoff {
  /** First retry delay. */
  initialMs: number;
  /** Longest delay between retries. */
  maxMs: number;
  factor: number;
}

export interface WsTransportOptions {
  url: string;
  openSocket: OpenSocket;
  backoff?: Partial<Backoff>;
}

export const defaultBackoff: Backoff = { initialMs: 500, maxMs: 10_000, factor: 2 };

/** The delay before retry number `attempt` (0-based): exponential, capped. */
export function backoffDelay(attempt: number, backoff: Backoff = defaultBackoff): number {
  return Math.min(backoff.maxMs, backoff.initialMs * backoff.factor ** attempt);
}

/**
 * The socket URL for a page served by `xlab serve`: same host, path `/ws`, and the page's
 * `?token=` (the server also accepts the cookie it set when the page loaded).
 */
export function socketUrl(location: { protocol: string; host: string; search: string }): string {
  const token = new URLSearchParams(location.search).get('token');
  const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
  return `${scheme}//${location.host}/ws${token ? `?token=${encodeURIComponent(token)}` : ''}`;
}

/**
 * The page's address without its `?token=` (other parameters and the hash kept), or undefined
 * when it has none. The page swaps it in once loaded: the token stays out of the address bar,
 * the history and bookmarks, and the session cookie set with the page logs a reload in.
 */
export function addressWithoutToken(location: { pathname: string; search: string; hash: string }): string | undefined {
  const params = new URLSearchParams(location.search);
  if (!params.has('token')) return undefined;
  params.delete('token');
  const search = params.toString();
  return `${location.pathname}${search ? `?${search}` : ''}${location.hash}`;
}

interface Pending {
  method: LabMethod;
  message: string;
  sent: boolean;
  resolve(result: CallResult<unknown>): void;
}

const failure = (code: string, message: string): CallResult<never> => ({ ok: false, error: { code, message } });

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

function isCallResult(value: unknown): value is CallResult<unknown> {
  if (!isRecord(value)) return false;
  // A call that returns nothing (`Promise<void>`) arrives as {ok: true}: JSON drops `undefined`.
  if (value.ok === true) return true;
  return (
    value.ok === false &&
    isRecord(value.error) &&
    typeof value.error.code === 'string' &&
    typeof value.error.message === 'string'
  );
}

/** Parses one server frame; anything that is not a `ServerMessage` is undefined. */
export function parseServerMessage(data: string): ServerMessage | undefined {
  let message: unknown;
  try {
    message = JSON.parse(data);
  } catch {
    return undefined;
  }
  if (!isRecord(message)) return undefined;
  if (message.type === 'result' && typeof message.id === 'number') return message as ServerMessage;
  if (message.type === 'event' && (labEvents as readonly unknown[]).includes(message.event))
    return message as ServerMessage;
  return undefined;
}

/**
 * Browser mode: the contract's calls and events over one WebSocket to `xlab serve`.
 *
 * Calls made before the socket is open wait for it. When a socket closes, every call still
 * waiting on it (sent or not) fails with a `DISCONNECTED` result saying so; the transport then
 * reconnects with exponential backoff and reports `reconnecting` until a socket opens again.
 */
export function createWsTransport(options: WsTransportOptions): Transport {
  const backoff: Backoff = { ...defaultBackoff, ...options.backoff };
  const hub = new Emitter<LabEvents>();
  const connectionListeners = new Set<(state: ConnectionState) => void>();
  const pending = new Map<number, Pending>();
  let state: ConnectionState = 'connecting';
  let socket: SocketConnection | undefined;
  let isOpen = false;
  let generation = 0;
  let retries = 0;
  let retryTimer: ReturnType<typeof setTimeout> | undefined;
  let closed = false;
  let nextId = 1;

  const setState = (next: ConnectionState): void => {
    if (next === state) return;
    state = next;
    for (const listener of [...connectionListeners]) listener(next);
  };

  const flush = (): void => {
    for (const call of pending.values()) {
      if (call.sent || !socket) continue;
      call.sent = true;
      socket.send(call.message);
    }
  };

  const failAll = (code: string, explain: (method: LabMethod) => string): void => {
    const calls = [...pending.values()];
    pending.clear();
    for (const call of calls) call.resolve(failure(code, explain(call.method)));
  };

  const dropped = (wasOpen: boolean): void => {
    socket = undefined;
    isOpen = false;
    failAll('DISCONNECTED', (method) =>
      wasOpen
        ? `Lost the connection to the lab server before "${method}" finished. Check that "xlab serve" is still running; the page reconnects by itself.`
        : `Could not reach the lab server for "${method}". Check that "xlab serve" is running and that the page URL includes its ?token=…; retrying.`,
    );
    if (closed) return;
    setState('reconnecting');
    const delay = backoffDelay(retries++, backoff);
    retryTimer = setTimeout(() => {
      retryTimer = undefined;
      connect();
    }, delay);
  };

  const onMessage = (data: string): void => {
    const message = parseServerMessage(data);
    if (!message) {
      console.warn('Ignored an unreadable message from the lab server.');
      return;
    }
    switch (message.type) {
      case 'result': {
        const call = pending.get(message.id);
        if (!call) return;
        pending.delete(message.id);
        call.resolve(
          isCallResult(message.result)
            ? message.result
            : failure('BAD_RESPONSE', `The lab server sent an unreadable answer to "${call.method}".`),
        );
        return;
      }
      case 'event':
        // The server sends only contract events (checked against labEvents when parsed).
        hub.emit(message.event, message.payload as LabEvents[typeof message.event]);
        return;
    }
  };

  function connect(): void {
    const mine = ++generation;
    const current = (): boolean => mine === generation && !closed;
    try {
      socket = options.openSocket(options.url, {
        open() {
          if (!current()) return;
          isOpen = true;
          retries = 0;
          setState('connected');
          flush();
        },
        message(data) {
          if (current()) onMessage(data);
        },
        close() {
          if (mine === generation) dropped(isOpen);
        },
      });
    } catch (error) {
      console.error('Cannot open the lab socket:', error);
      dropped(false);
    }
  }

  connect();

  return {
    kind: 'browser',
    call(method, args) {
      if (closed) return Promise.resolve(failure('CLOSED', `The lab client is closed; "${method}" was not sent.`));
      return new Promise((resolve) => {
        const id = nextId++;
        // JSON turns a trailing `undefined` (an optional argument left out) into null, which the
        // server's schema would refuse; leave it out as a direct call would.
        const sent = [...args];
        while (sent.length > 0 && sent[sent.length - 1] === undefined) sent.pop();
        const message: ClientMessage = { type: 'call', id, method, args: sent };
        pending.set(id, { method, message: JSON.stringify(message), sent: false, resolve });
        if (isOpen) flush();
      });
    },
    on<E extends LabEvent>(event: E, listener: EventListener<E>) {
      return hub.on(event, listener);
    },
    get connection() {
      return state;
    },
    onConnectionChange(listener) {
      connectionListeners.add(listener);
      return () => {
        connectionListeners.delete(listener);
      };
    },
    pathForFile() {
      return undefined;
    },
    close() {
      if (closed) return;
      closed = true;
      if (retryTimer) clearTimeout(retryTimer);
      const open = socket;
      socket = undefined;
      isOpen = false;
      failAll('CLOSED', (method) => `The lab client was closed before "${method}" finished.`);
      open?.close();
    },
  };
}
