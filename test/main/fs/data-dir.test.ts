import { describe, expect, it } from 'vitest';
import { resolve } from 'node:path';
import { defaultDataDir, resolveDataDir } from '../../../main/fs/data-dir';

describe('defaultDataDir (what Electron’s userData is for productName "Xception Lab")', () => {
  it('Linux: $XDG_CONFIG_HOME or ~/.config', () => {
    expect(defaultDataDir({ platform: 'linux', env: {}, home: '/home/ada' })).toBe('/home/ada/.config/Xception Lab');
    expect(defaultDataDir({ platform: 'linux', env: { XDG_CONFIG_HOME: '/cfg' }, home: '/home/ada' })).toBe(
      '/cfg/Xception Lab',
    );
  });
  it('macOS: ~/Library/Application Support', () => {
    expect(defaultDataDir({ platform: 'darwin', env: {}, home: '/Users/ada' })).toBe(
      '/Users/ada/Library/Application Support/Xception Lab',
    );
  });
  it('Windows: %APPDATA%', () => {
    expect(
      defaultDataDir({
        platform: 'win32',
        env: { APPDATA: 'C:\\Users\\ada\\AppData\\Roaming' },
        home: 'C:\\Users\\ada',
      }),
    ).toBe('C:\\Users\\ada\\AppData\\Roaming\\Xception Lab');
    expect(defaultDataDir({ platform: 'win32', env: {}, home: 'C:\\Users\\ada' })).toBe(
      'C:\\Users\\ada\\AppData\\Roaming\\Xception Lab',
    );
  });
});

describe('resolveDataDir', () => {
  const inputs = { platform: 'linux' as const, env: { XLAB_HOME: 'lab-home' }, home: '/home/ada' };
  it('--data-dir wins over XLAB_HOME, which wins over the default', () => {
    expect(resolveDataDir('flag-dir', inputs)).toBe(resolve('flag-dir'));
    expect(resolveDataDir(undefined, inputs)).toBe(resolve('lab-home'));
    expect(resolveDataDir(undefined, { ...inputs, env: {} })).toBe('/home/ada/.config/Xception Lab');
  });
});
