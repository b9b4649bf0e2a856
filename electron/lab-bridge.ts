import { callChannel, eventChannel, labEvents, labMethods, type LabBridge, type LabEvent } from '../main/contract';

/** The parts of ipcRenderer / webUtils the bridge uses (injected so it is testable). */
export interface BridgeIpc {
  invoke(channel: string, ...args: unknown[]): Promise<unknown>;
  on(channel: string, listener: (event: unknown, ...args: unknown[]) => void): unknown;
  removeListener(channel: string, listener: (event: unknown, ...args: unknown[]) => void): unknown;
}

export interface BridgeUtils {
  getPathForFile(file: File): string;
}

/**
 * Builds `window.lab` from the contract's lists: one function per call (no generic `send`),
 * `on` only for declared events, returning an unsubscribe.
 */
export function buildLabBridge(ipc: BridgeIpc, utils: BridgeUtils): LabBridge {
  const bridge: Record<string, unknown> = {};
  for (const method of labMethods) {
    bridge[method] = (...args: unknown[]) => ipc.invoke(callChannel(method), ...args);
  }
  bridge.on = (event: LabEvent, listener: (payload: unknown) => void): (() => void) => {
    if (!(labEvents as readonly string[]).includes(event)) throw new Error(`Unknown event: ${String(event)}`);
    const channel = eventChannel(event);
    const wrapped = (_event: unknown, payload: unknown): void => listener(payload);
    ipc.on(channel, wrapped);
    return () => {
      ipc.removeListener(channel, wrapped);
    };
  };
  bridge.pathForFile = (file: File): string => utils.getPathForFile(file);
  return bridge as LabBridge;
}
