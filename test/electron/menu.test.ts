import { describe, expect, it, vi } from 'vitest';
import type { MenuItemConstructorOptions } from 'electron';
import { menuTemplate } from '../../electron/menu';

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

  it('puts Quit in the app menu on macOS', () => {
    const template = menuTemplate(actions, 'darwin');
    expect(template[0]).toEqual({ role: 'appMenu' });
    expect(flatten(template).some((i) => i.role === 'quit')).toBe(false);
  });
});
