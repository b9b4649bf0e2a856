import { app, Menu, type MenuItemConstructorOptions } from 'electron';

export interface MenuActions {
  openDataset(): void;
  exportReport(): void;
  toggleDarkMode(): void;
  showDataFolder(): void;
}

/**
 * The native menu; pure so the shape and accelerators are testable. Toggle Developer Tools is
 * there only with `devTools` (a development run): a shipped app has no way into its internals.
 */
export function menuTemplate(
  actions: MenuActions,
  platform: NodeJS.Platform,
  options: { devTools?: boolean } = {},
): MenuItemConstructorOptions[] {
  const mac = platform === 'darwin';
  const file: MenuItemConstructorOptions = {
    label: '&File',
    submenu: [
      { label: 'Open Dataset…', accelerator: 'CmdOrCtrl+O', click: () => actions.openDataset() },
      { label: 'Export Report…', accelerator: 'CmdOrCtrl+E', click: () => actions.exportReport() },
      { type: 'separator' },
      { label: 'Show Data Folder', click: () => actions.showDataFolder() },
      ...(mac ? [] : [{ type: 'separator' } as const, { role: 'quit', label: 'Quit', accelerator: 'Ctrl+Q' } as const]),
    ],
  };
  const view: MenuItemConstructorOptions = {
    label: '&View',
    submenu: [
      { label: 'Toggle Dark Mode', accelerator: 'CmdOrCtrl+Shift+D', click: () => actions.toggleDarkMode() },
      { type: 'separator' },
      { role: 'resetZoom' },
      { role: 'zoomIn' },
      { role: 'zoomOut' },
      { type: 'separator' },
      { role: 'togglefullscreen' },
      ...(options.devTools ? [{ role: 'toggleDevTools' } as const] : []),
    ],
  };
  return [...(mac ? [{ role: 'appMenu' } as const] : []), file, { role: 'editMenu' }, view, { role: 'windowMenu' }];
}

export function setupMenu(actions: MenuActions): void {
  Menu.setApplicationMenu(
    Menu.buildFromTemplate(menuTemplate(actions, process.platform, { devTools: !app.isPackaged })),
  );
}
