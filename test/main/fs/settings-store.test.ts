import { describe, expect, it } from 'vitest';
import { mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadSettings, saveSettings } from '../../../main/fs/settings-store';

const tempDir = () => mkdtemp(join(tmpdir(), 'xlab-settings-'));

describe('settings store', () => {
  it('gives defaults when there is no file, and round-trips a save', async () => {
    const dir = await tempDir();
    const file = join(dir, 'settings.json');
    expect(await loadSettings(file)).toEqual({ settings: { theme: 'system' } });
    await saveSettings(file, { theme: 'dark' });
    expect(await loadSettings(file)).toEqual({ settings: { theme: 'dark' } });
    expect(await readdir(dir)).toEqual(['settings.json']); // no temp files left behind
  });

  it('keeps the Train page’s dataset folder (null: a sample), and a file written before it existed still loads', async () => {
    const dir = await tempDir();
    const file = join(dir, 'settings.json');
    await saveSettings(file, { theme: 'light', trainFolder: '/data/flowers' });
    expect((await loadSettings(file)).settings).toEqual({ theme: 'light', trainFolder: '/data/flowers' });
    await saveSettings(file, { theme: 'light', trainFolder: null });
    expect((await loadSettings(file)).settings).toEqual({ theme: 'light', trainFolder: null });
    await writeFile(file, '{"theme": "dark"}');
    expect(await loadSettings(file)).toEqual({ settings: { theme: 'dark' } });
  });

  it('keeps a corrupt file aside instead of overwriting it, and says where', async () => {
    const dir = await tempDir();
    const file = join(dir, 'settings.json');
    await writeFile(file, '{"theme": "dark",');
    const loaded = await loadSettings(file);
    expect(loaded.settings).toEqual({ theme: 'system' });
    expect(loaded.warning).toMatch(/settings\.json was not valid JSON .* kept as .*settings\.json\.corrupt-/);
    const aside = (await readdir(dir)).find((f) => f.startsWith('settings.json.corrupt-'));
    expect(aside).toBeDefined();
    expect(await readFile(join(dir, aside!), 'utf8')).toBe('{"theme": "dark",');
  });

  it('names the bad field of a file with a wrong value', async () => {
    const dir = await tempDir();
    const file = join(dir, 'settings.json');
    await writeFile(file, '{"theme": "purple"}');
    expect((await loadSettings(file)).warning).toContain('field "theme"');
  });
});
