import type { LabBridge } from '../../../main/contract';
import { bridgeTransport, createLabClient, type LabClient } from './lab-client';
import { addressWithoutToken, createWsTransport, socketUrl, type OpenSocket } from './ws-transport';

declare global {
  interface Window {
    /** Exposed by the Electron preload; absent in browser mode. */
    lab?: LabBridge;
  }
}

/** A real browser WebSocket behind the transport's small socket interface. */
export const openBrowserSocket: OpenSocket = (url, handlers) => {
  const ws = new WebSocket(url);
  ws.onopen = () => handlers.open();
  ws.onmessage = (event: MessageEvent) => handlers.message(typeof event.data === 'string' ? event.data : '');
  ws.onclose = (event: CloseEvent) => handlers.close(event.code, event.reason);
  return {
    send: (data) => ws.send(data),
    close: () => ws.close(1000, 'client closed'),
  };
};

/** The client for this page: Electron's bridge when present, else the `xlab serve` WebSocket. */
export function connectLab(): LabClient {
  if (window.lab) return createLabClient(bridgeTransport(window.lab));
  // The socket keeps the token for its reconnects; the address bar loses it.
  const url = socketUrl(window.location);
  const address = addressWithoutToken(window.location);
  if (address !== undefined) window.history.replaceState(window.history.state, '', address);
  return createLabClient(createWsTransport({ url, openSocket: openBrowserSocket }));
}
