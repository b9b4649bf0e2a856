import {
  labMethods,
  type CallResult,
  type LabArgs,
  type LabBridge,
  type LabEvent,
  type LabEvents,
  type LabMethod,
  type LabResult,
} from '../../../main/contract';
import { Emitter } from '../../../main/events';
import { type ConnectionState, type EventListener, type Transport } from './transport';
import { messageOf } from './message-of';

/** A failed call: `code` is stable (e.g. `DISCONNECTED`, `INVALID_ARGUMENT`), `message` is for the user. */
export class LabClientError extends Error {
  readonly code: string;

  constructor(code: string, message: string) {
    super(message);
    this.name = 'LabClientError';
    this.code = code;
  }
}

/** A call that failed because the connection is gone: the status bar already says so, so callers stay quiet. */
export const isDisconnected = (error: unknown): boolean =>
  error instanceof LabClientError && error.code === 'DISCONNECTED';

/** The value of a `CallResult`, or a `LabClientError` with its code and user-facing message. */
export function unwrap<T>(result: CallResult<T>, method = 'call'): T {
  if (typeof result !== 'object' || result === null || typeof result.ok !== 'boolean') {
    throw new LabClientError('BAD_RESPONSE', `The lab sent an unreadable answer to "${method}".`);
  }
  if (result.ok) return result.value;
  const { code, message } = result.error ?? {};
  throw new LabClientError(
    typeof code === 'string' ? code : 'INTERNAL',
    typeof message === 'string' && message ? message : `"${method}" failed without saying why.`,
  );
}

/** Every call of the contract, resolving to its value (or rejecting with a `LabClientError`). */
export type LabCalls = { [M in LabMethod]: (...args: LabArgs<M>) => Promise<LabResult<M>> };

export interface LabClient extends LabCalls {
  readonly kind: Transport['kind'];
  on<E extends LabEvent>(event: E, listener: EventListener<E>): () => void;
  readonly connection: ConnectionState;
  onConnectionChange(listener: (state: ConnectionState) => void): () => void;
  pathForFile(file: File): string | undefined;
  close(): void;
}

/** The one client: its calls are generated from the contract's `labMethods`, over any transport. */
export function createLabClient(transport: Transport): LabClient {
  const calls: Partial<Record<LabMethod, (...args: unknown[]) => Promise<unknown>>> = {};
  for (const method of labMethods) {
    calls[method] = async (...args: unknown[]) => unwrap(await transport.call(method, args), method);
  }
  const client = {
    ...(calls as LabCalls),
    kind: transport.kind,
    on: <E extends LabEvent>(event: E, listener: EventListener<E>) => transport.on(event, listener),
    get connection() {
      return transport.connection;
    },
    onConnectionChange: (listener: (state: ConnectionState) => void) => transport.onConnectionChange(listener),
    pathForFile: (file: File) => transport.pathForFile(file),
    close: () => transport.close(),
  } satisfies LabClient;
  return client;
}

/** Under Electron: the preload's `window.lab`. IPC is local, so the connection is always up. */
export function bridgeTransport(bridge: LabBridge): Transport {
  const hub = new Emitter<LabEvents>();
  const unsubscribe: (() => void)[] = [];
  const subscribed = new Set<LabEvent>();
  return {
    kind: 'electron',
    async call(method, args) {
      const fn = bridge[method] as (...a: unknown[]) => Promise<CallResult<unknown>>;
      try {
        return await fn(...args);
      } catch (error) {
        // The bridge itself failed (e.g. the main process is gone), not the engine.
        const detail = messageOf(error);
        return { ok: false, error: { code: 'IPC_FAILED', message: `The app could not run "${method}": ${detail}` } };
      }
    },
    on<E extends LabEvent>(event: E, listener: EventListener<E>) {
      // One bridge subscription per event, fanned out here.
      if (!subscribed.has(event)) {
        subscribed.add(event);
        unsubscribe.push(bridge.on(event, (payload) => hub.emit(event, payload)));
      }
      return hub.on(event, listener);
    },
    connection: 'connected',
    onConnectionChange() {
      return () => {};
    },
    pathForFile(file) {
      return bridge.pathForFile(file);
    },
    close() {
      for (const off of unsubscribe.splice(0)) off();
      subscribed.clear();
    },
  };
}
