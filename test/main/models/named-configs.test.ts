import { describe, expect, it } from 'vitest';
import { mkdtemp, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  configFileName,
  configsDir,
  deleteNamedConfig,
  listNamedConfigs,
  loadNamedConfig,
  saveNamedConfig,
} from '../../../main/models/named-configs';
import { describeChange, diffConfigs } from '../../../main/models/config-diff';

describe('named configs', () => {
  it('saves, lists, loads and deletes; never overwrites without being asked', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'xlab-configs-'));
    const config = { name: 'Custom V3', model: { preset: 'seed', classes: 100 }, training: { learningRate: 0.01 } };
    await saveNamedConfig(dataDir, config);
    expect((await loadNamedConfig(dataDir, 'Custom V3')).model).toEqual({ preset: 'seed', classes: 100 });
    await expect(saveNamedConfig(dataDir, { ...config, training: {} })).rejects.toThrow('already exists');
    await saveNamedConfig(dataDir, { ...config, training: {} }, { overwrite: true });
    expect((await loadNamedConfig(dataDir, 'Custom V3')).training).toEqual({});
    expect((await listNamedConfigs(dataDir)).configs.map((c) => c.name)).toEqual(['Custom V3']);
    await deleteNamedConfig(dataDir, 'Custom V3');
    await expect(loadNamedConfig(dataDir, 'Custom V3')).rejects.toThrow('There is no saved config named "Custom V3"');
  });

  it('refuses invalid configs with the field named, and reports unreadable files without dropping the rest', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'xlab-configs-'));
    await expect(
      saveNamedConfig(dataDir, { name: 'bad', model: { preset: 'mini', classes: 1 }, training: {} }),
    ).rejects.toThrow('classes');
    await expect(
      saveNamedConfig(dataDir, { name: 'bad', model: { preset: 'mini' }, training: { epochs: 0 } }),
    ).rejects.toThrow('epochs');
    await saveNamedConfig(dataDir, { name: 'good', model: { preset: 'mini' }, training: {} });
    await mkdir(configsDir(dataDir), { recursive: true });
    await writeFile(join(configsDir(dataDir), 'broken.json'), '{');
    const listed = await listNamedConfigs(dataDir);
    expect(listed.configs.map((c) => c.name)).toEqual(['good']);
    expect(listed.problems[0]).toContain('broken.json could not be read');
    expect(() => configFileName('???')).toThrow('cannot be a config name');
  });

  it('diffs two configs showing only what differs', () => {
    const changes = diffConfigs(
      { blockStyle: 'seed', middleRepeats: 8, classes: 10 },
      { blockStyle: 'keras', middleRepeats: 4, classes: 10 },
    );
    expect(changes.map(describeChange)).toEqual(['block style: seed → keras', 'middle repeats: 8 → 4']);
  });
});
