import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { MenuItemConstructorOptions } from 'electron';
import { app, Menu, resetElectronMock } from '../mocks/electron';
import { menuTemplate, setupMenu } from '../../electron/menu';

const flatten = (items: MenuItemConstructorOptions[]): MenuItemConstructorOptions[] =>
  items.flatMap((item) => [item, ...(Array.isArray(item.submenu) ? flatten(item.submenu) : [])]);

describe('menuTemplate', () => {
  const actions = { openDataset: vi.fn(), exportReport: vi.fn(), toggleDarkMode: vi.fn(), showDataFolder: vi.fn() };

  it('has Open Dataset…, Export Report…, Toggle Dark Mode and Quit with accelerators', () => {
    const items = flatten(menuTemplate(actions, 'linux'));
    const byLabel = (label: string) => items.find((i) => i.label === label);
    expect(byLabel('Open Dataset…')?.accelerator).toBe('CmdOrCtrl+O');
    expect(byLabel('Export Report…')?.accelerator).toBe('CmdOrCtrl+E');
    expect(byLabel('Toggle Dark Mode')?.accelerator).toBe('CmdOrCtrl+Shift+D');
    expect(items.find((i) => i.role === 'quit')?.accelerator).toBe('Ctrl+Q');
    const click = (label: string) => (byLabel(label)!.click as () => void)();
    click('Open Dataset…');
    click('Toggle Dark Mode');
    expect(actions.openDataset).toHaveBeenCalled();
    expect(actions.toggleDarkMode).toHaveBeenCalled();
  });

  it('has Toggle Developer Tools only in development', () => {
    const roles = (devTools?: boolean) => flatten(menuTemplate(actions, 'linux', { devTools })).map((i) => i.role);
    expect(roles(true)).toContain('toggleDevTools');
    expect(roles(false)).not.toContain('toggleDevTools');
    expect(roles(undefined)).not.toContain('toggleDevTools');
    // No built-in role that brings its own DevTools item (viewMenu does) is used instead.
    expect(roles(false)).not.toContain('viewMenu');
  });

  describe('setupMenu', () => {
    beforeEach(() => resetElectronMock());
    const hasDevTools = () =>
      flatten(Menu.built as MenuItemConstructorOptions[]).some((i) => i.role === 'toggleDevTools');

    it('leaves DevTools out of the packaged app’s menu', () => {
      app.isPackaged = true;
      setupMenu(actions);
      expect(Menu.setApplicationMenu).toHaveBeenCalled();
      expect(hasDevTools()).toBe(false);
    });

    it('offers DevTools when run from a checkout (npm start)', () => {
      app.isPackaged = false;
      setupMenu(actions);
      expect(hasDevTools()).toBe(true);
    });
  });

  it('puts Quit in the app menu on macOS', () => {
    const template = menuTemplate(actions, 'darwin');
    expect(template[0]).toEqual({ role: 'appMenu' });
    expect(flatten(template).some((i) => i.role === 'quit')).toBe(false);
  });
});
