import { beforeEach, describe, expect, it } from 'vitest';
import { app, resetElectronMock, shell, type BrowserWindow, type FakeWebContents } from '../mocks/electron';
import { createMainWindow, isAppUrl, isExternalLink } from '../../electron/window';

describe('createMainWindow', () => {
  let win: BrowserWindow;
  let contents: FakeWebContents;
  beforeEach(() => {
    resetElectronMock();
    win = createMainWindow({ preload: '/out/preload.cjs', dark: false }) as unknown as BrowserWindow;
    contents = win.webContents;
  });

  it('isolates and sandboxes the renderer, shows on ready-to-show, loads the app protocol', () => {
    const options = win.options as { show: boolean; webPreferences: Record<string, unknown> };
    expect(options.show).toBe(false);
    expect(options.webPreferences).toMatchObject({
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      preload: '/out/preload.cjs',
    });
    expect(win.loadedUrl).toBe('app://xlab/index.html');
    win.onceListeners.get('ready-to-show')!();
    expect(win.show).toHaveBeenCalled();
  });

  it('allows DevTools in development only', () => {
    expect((win.options as { webPreferences: { devTools: boolean } }).webPreferences.devTools).toBe(true);
    app.isPackaged = true;
    const packaged = createMainWindow({ preload: '/out/preload.cjs', dark: false }) as unknown as BrowserWindow;
    expect((packaged.options as { webPreferences: { devTools: boolean } }).webPreferences.devTools).toBe(false);
  });

  it('denies new windows and sends web links to the system browser', () => {
    expect(contents.windowOpenHandler!({ url: 'https://keras.io/' })).toEqual({ action: 'deny' });
    expect(shell.openExternal).toHaveBeenCalledWith('https://keras.io/');
    expect(contents.windowOpenHandler!({ url: 'file:///etc/passwd' })).toEqual({ action: 'deny' });
    expect(shell.openExternal).toHaveBeenCalledTimes(1);
  });

  it('refuses navigation away from the app', () => {
    let prevented = false;
    contents.listeners.get('will-navigate')!({ preventDefault: () => (prevented = true) }, 'https://evil.example/');
    expect(prevented).toBe(true);
    prevented = false;
    contents.listeners.get('will-navigate')!({ preventDefault: () => (prevented = true) }, 'app://xlab/index.html');
    expect(prevented).toBe(false);
  });

  it('denies every permission request', () => {
    let granted: boolean | undefined;
    contents.permissionHandler!(contents, 'media', (ok: boolean) => (granted = ok));
    expect(granted).toBe(false);
  });

  it('classifies URLs', () => {
    expect(isExternalLink('http://x.org')).toBe(true);
    expect(isExternalLink('javascript:alert(1)')).toBe(false);
    expect(isAppUrl('app://xlab/a.js')).toBe(true);
    expect(isAppUrl('app://xlabevil/a.js')).toBe(false);
  });
});
