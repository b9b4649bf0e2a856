import { BrowserWindow, ipcMain, type IpcMainInvokeEvent } from 'electron';
import { callChannel, eventChannel, labEvents, labMethods, type CallResult } from '../main/contract';
import { dispatchCall } from '../main/dispatch';
import type { Lab } from '../main/lab';
import { isAppUrl } from './window';

/** Only our window's top frame, showing our own UI, may call the engine. */
export function isTrustedSender(event: IpcMainInvokeEvent, win: BrowserWindow): boolean {
  if (win.isDestroyed()) return false;
  if (BrowserWindow.fromWebContents(event.sender) !== win) return false;
  const frame = event.senderFrame;
  if (!frame || frame !== win.webContents.mainFrame) return false;
  return isAppUrl(frame.url);
}

const forbidden: CallResult<never> = {
  ok: false,
  error: { code: 'FORBIDDEN', message: 'This call did not come from the Xception Lab window and was refused.' },
};

/**
 * One `ipcMain.handle` per contract call, each validated by the shared dispatcher; every engine
 * event forwarded to the window. Returns the teardown.
 */
export function setupIpc(lab: Lab, win: BrowserWindow): () => void {
  for (const method of labMethods) {
    ipcMain.handle(callChannel(method), (event, ...args: unknown[]) =>
      isTrustedSender(event, win) ? dispatchCall(lab, method, args) : forbidden,
    );
  }
  const unsubscribe = labEvents.map((name) =>
    lab.events.on(name, (payload) => {
      if (!win.isDestroyed()) win.webContents.send(eventChannel(name), payload);
    }),
  );
  return () => {
    for (const method of labMethods) ipcMain.removeHandler(callChannel(method));
    for (const off of unsubscribe) off();
  };
}
