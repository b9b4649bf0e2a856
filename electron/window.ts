import { app, BrowserWindow, shell } from 'electron';
import { appOrigin } from './app-protocol';

/** Only http(s) links leave the app, and they go to the system browser. */
export function isExternalLink(url: string): boolean {
  try {
    const { protocol } = new URL(url);
    return protocol === 'https:' || protocol === 'http:';
  } catch {
    return false;
  }
}

export function isAppUrl(url: string): boolean {
  return url === appOrigin || url.startsWith(`${appOrigin}/`);
}

/**
 * The main window: isolated, sandboxed renderer with no Node; shown once painted; new windows
 * denied; navigation away from the app refused (links open in the system browser); no DevTools
 * once packaged.
 */
export function createMainWindow(options: { preload: string; dark: boolean }): BrowserWindow {
  const win = new BrowserWindow({
    width: 1280,
    height: 840,
    minWidth: 900,
    minHeight: 600,
    show: false,
    title: 'Xception Lab',
    backgroundColor: options.dark ? '#15171a' : '#f7f7f8',
    webPreferences: {
      preload: options.preload,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webSecurity: true,
      spellcheck: false,
      // DevTools in development only; the packaged app cannot open them at all.
      devTools: !app.isPackaged,
    },
  });
  win.once('ready-to-show', () => win.show());

  const contents = win.webContents;
  contents.setWindowOpenHandler(({ url }) => {
    if (isExternalLink(url)) void shell.openExternal(url);
    return { action: 'deny' };
  });
  contents.on('will-navigate', (event, url) => {
    if (isAppUrl(url)) return;
    event.preventDefault();
    if (isExternalLink(url)) void shell.openExternal(url);
  });
  contents.on('will-attach-webview', (event) => event.preventDefault());
  contents.session.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));

  void win.loadURL(`${appOrigin}/index.html`);
  return win;
}
