import { beforeEach, describe, expect, it } from 'vitest';
import type { BrowserWindow as ElectronWindow } from 'electron';
import { BrowserWindow, ipcMain, resetElectronMock } from '../mocks/electron';
import { callChannel, eventChannel, labMethods } from '../../main/contract';
import type { Lab } from '../../main/lab';
import { fakeLab } from '../helpers/fake-lab';
import { setupIpc } from '../../electron/ipc';

const invoke = (channel: string, event: unknown, ...args: unknown[]) => {
  const handler = ipcMain.handlers.get(channel);
  if (!handler) throw new Error(`no handler for ${channel}`);
  return handler(event, ...args);
};

describe('setupIpc', () => {
  let win: BrowserWindow;
  let lab: Lab;
  const own = () => ({ sender: win.webContents, senderFrame: win.webContents.mainFrame });

  beforeEach(() => {
    resetElectronMock();
    win = new BrowserWindow();
    lab = fakeLab();
  });

  it('registers one handler per contract method', () => {
    setupIpc(lab, win as unknown as ElectronWindow);
    expect([...ipcMain.handlers.keys()].sort()).toEqual(labMethods.map(callChannel).sort());
  });

  it('answers calls from the window’s own top frame', async () => {
    setupIpc(lab, win as unknown as ElectronWindow);
    await expect(invoke(callChannel('getSettings'), own())).resolves.toEqual({ ok: true, value: { theme: 'system' } });
    await expect(invoke(callChannel('updateSettings'), own(), { theme: 'dark' })).resolves.toEqual({
      ok: true,
      value: { theme: 'dark' },
    });
    expect(lab.updateSettings).toHaveBeenCalledWith({ theme: 'dark' });
  });

  it('rejects a sender that is not our window', async () => {
    setupIpc(lab, win as unknown as ElectronWindow);
    const stranger = new BrowserWindow();
    const result = await invoke(callChannel('getSettings'), {
      sender: stranger.webContents,
      senderFrame: { url: 'app://xlab/index.html' },
    });
    expect(result).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    expect(lab.getSettings).not.toHaveBeenCalled();
  });

  it('rejects a sub-frame and a frame showing foreign content', async () => {
    setupIpc(lab, win as unknown as ElectronWindow);
    const subFrame = await invoke(callChannel('getSettings'), {
      sender: win.webContents,
      senderFrame: { url: 'app://xlab/index.html' },
    });
    expect(subFrame).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    win.webContents.mainFrame.url = 'https://evil.example/';
    const foreign = await invoke(callChannel('getSettings'), own());
    expect(foreign).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
  });

  it('rejects invalid arguments before they reach the engine', async () => {
    setupIpc(lab, win as unknown as ElectronWindow);
    const result = await invoke(callChannel('updateSettings'), own(), { theme: 'purple' });
    expect(result).toMatchObject({ ok: false, error: { code: 'INVALID_ARGUMENT' } });
    expect((result as { error: { message: string } }).error.message).toContain('theme');
    const extra = await invoke(callChannel('getSettings'), own(), 'unexpected');
    expect(extra).toMatchObject({ ok: false, error: { code: 'INVALID_ARGUMENT' } });
    expect(lab.updateSettings).not.toHaveBeenCalled();
    expect(lab.getSettings).not.toHaveBeenCalled();
  });

  it('forwards engine events to the window and stops after teardown', () => {
    const teardown = setupIpc(lab, win as unknown as ElectronWindow);
    lab.events.emit('log', { level: 'info', message: 'hello', time: 't' });
    const contents = win.webContents;
    expect(contents.sent).toEqual([
      { channel: eventChannel('log'), args: [{ level: 'info', message: 'hello', time: 't' }] },
    ]);
    teardown();
    lab.events.emit('log', { level: 'info', message: 'again', time: 't' });
    expect(contents.sent).toHaveLength(1);
    expect(ipcMain.handlers.size).toBe(0);
  });
});
