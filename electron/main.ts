// The Electron shell: lifecycle, one window, IPC and menu. The engine is plain Node (main/).
import { app, dialog, nativeTheme, shell } from 'electron';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { MenuEvent } from '../main/contract';
import { createLab, type Lab } from '../main/lab';
import { appRoot } from '../main/version';
import { unpackedPath, unpackedUrl } from '../main/fs/asar';
import { registerAppScheme, serveAppProtocol } from './app-protocol';
import { setupIpc } from './ipc';
import { setupMenu } from './menu';
import { printToPdf } from './print-pdf';
import { openFolder } from './open-folder';
import { createMainWindow } from './window';

const outDir = dirname(fileURLToPath(import.meta.url));

async function onReady(): Promise<void> {
  // XLAB_HOME lets the app and the CLI share a non-default data folder.
  const dataDir = process.env.XLAB_HOME ? resolve(process.env.XLAB_HOME) : app.getPath('userData');
  let lab: Lab;
  try {
    lab = await createLab({
      dataDir,
      // Images read by sharp (libvips) and the worker's ES module need real files: the builder
      // unpacks both (electron-builder.yml, asarUnpack).
      samplesDir: unpackedPath(join(appRoot(), 'assets', 'samples')),
      workerUrl: unpackedUrl(new URL('./training-worker.mjs', import.meta.url)),
      pdf: printToPdf,
      openFolder,
    });
  } catch (error) {
    dialog.showErrorBox('Xception Lab cannot start', (error as Error).message);
    app.exit(1);
    return;
  }
  const settings = await lab.getSettings();
  nativeTheme.themeSource = settings.theme;

  serveAppProtocol(join(outDir, 'renderer'));
  const win = createMainWindow({ preload: join(outDir, 'preload.cjs'), dark: nativeTheme.shouldUseDarkColors });
  const teardownIpc = setupIpc(lab, win);
  const sendMenu = (event: MenuEvent): void => lab.events.emit('menu', event);

  setupMenu({
    openDataset: async () => {
      const picked = await dialog.showOpenDialog(win, { title: 'Open Dataset', properties: ['openDirectory'] });
      const path = picked.filePaths[0];
      if (!picked.canceled && path) sendMenu({ command: 'open-dataset', path });
    },
    exportReport: () => sendMenu({ command: 'export-report' }),
    toggleDarkMode: () => sendMenu({ command: 'toggle-dark-mode' }),
    showDataFolder: () => void shell.openPath(dataDir),
  });
  // The renderer persists the theme through updateSettings; keep native chrome in step.
  lab.events.on('settings', (next) => {
    nativeTheme.themeSource = next.theme;
  });
  app.on('second-instance', () => {
    if (win.isMinimized()) win.restore();
    win.focus();
  });

  let closing = false;
  app.on('before-quit', (event) => {
    if (closing) return;
    closing = true;
    event.preventDefault();
    teardownIpc();
    void lab.close().finally(() => app.quit());
  });
}

registerAppScheme();
if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  app.on('window-all-closed', () => app.quit());
  app.whenReady().then(onReady, (error: Error) => {
    dialog.showErrorBox('Xception Lab cannot start', error.message);
    app.exit(1);
  });
}
