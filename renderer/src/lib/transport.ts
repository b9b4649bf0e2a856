import type { CallResult, LabEvent, LabEvents, LabMethod } from '../../../main/contract';

/** Where the client stands with its back end. Electron's bridge is always `connected`. */
export type ConnectionState = 'connecting' | 'connected' | 'reconnecting';

export type EventListener<E extends LabEvent> = (payload: LabEvents[E]) => void;

/**
 * What the client needs from a back end: send one call and get its `CallResult`, hear pushed
 * events, and report the connection. Implemented by the Electron bridge and the WebSocket.
 */
export interface Transport {
  readonly kind: 'electron' | 'browser';
  call(method: LabMethod, args: unknown[]): Promise<CallResult<unknown>>;
  on<E extends LabEvent>(event: E, listener: EventListener<E>): () => void;
  readonly connection: ConnectionState;
  onConnectionChange(listener: (state: ConnectionState) => void): () => void;
  /** The absolute path of a dropped file; only the desktop app can know it. */
  pathForFile(file: File): string | undefined;
  close(): void;
}
