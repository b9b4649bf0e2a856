import { describe, expect, it } from 'vitest';
import { mkdir, mkdtemp, realpath, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkOpenableFolder, isBundle, isInside, isNetworkPath } from '../../../main/fs/open-folder-policy';

async function tree() {
  const base = await realpath(await mkdtemp(join(tmpdir(), 'xlab-open-')));
  const dataDir = join(base, 'data');
  const dataset = join(base, 'flowers');
  const elsewhere = join(base, 'elsewhere');
  for (const dir of [
    join(dataDir, 'runs', 'r1'),
    join(dataDir, 'exports'),
    join(dataset, 'daisy'),
    elsewhere,
    join(dataDir, 'Calculator.app'),
  ]) {
    await mkdir(dir, { recursive: true });
  }
  await writeFile(join(dataDir, 'settings.json'), '{}');
  return { base, dataDir, dataset, elsewhere };
}

describe('which folders openFolder may show', () => {
  it('knows network paths, bundles and containment', () => {
    for (const path of ['\\\\host\\share', '\\\\host\\share\\dir', '//host/share', '\\\\?\\C:\\x', '\\/host'])
      expect(isNetworkPath(path)).toBe(true);
    for (const path of ['/home/u', 'C:\\data', 'relative']) expect(isNetworkPath(path)).toBe(false);
    expect(isBundle('/Applications/Calculator.app')).toBe(true);
    expect(isBundle('/data/My.APP')).toBe(true);
    expect(isBundle('/data/runs/app')).toBe(false);
    expect(isInside('/data', '/data')).toBe(true);
    expect(isInside('/data', '/data/runs/x')).toBe(true);
    expect(isInside('/data', '/data/..foo')).toBe(true);
    expect(isInside('/data', '/database')).toBe(false);
    expect(isInside('/data', '/')).toBe(false);
  });

  it('opens the data folder, its runs and exports, and opened datasets, by their real path', async () => {
    const { dataDir, dataset } = await tree();
    const allowed = [dataDir, dataset];
    expect(await checkOpenableFolder(dataDir, allowed)).toBe(dataDir);
    expect(await checkOpenableFolder(join(dataDir, 'runs', 'r1'), allowed)).toBe(join(dataDir, 'runs', 'r1'));
    expect(await checkOpenableFolder(join(dataDir, 'exports'), allowed)).toBe(join(dataDir, 'exports'));
    expect(await checkOpenableFolder(join(dataset, 'daisy'), allowed)).toBe(join(dataset, 'daisy'));
    expect(await checkOpenableFolder(`${dataDir}/runs/../exports`, allowed)).toBe(join(dataDir, 'exports'));
  });

  it('refuses any other folder, naming what it opens', async () => {
    const { dataDir, dataset, elsewhere, base } = await tree();
    const allowed = [dataDir, dataset];
    for (const path of [elsewhere, base, '/', tmpdir(), `${dataDir}/..`]) {
      await expect(checkOpenableFolder(path, allowed)).rejects.toMatchObject({
        code: 'NOT_ALLOWED',
        message: expect.stringContaining('not a folder of the lab'),
      });
    }
  });

  it('refuses a symbolic link inside the data folder that leads elsewhere', async () => {
    const { dataDir, elsewhere } = await tree();
    await symlink(elsewhere, join(dataDir, 'runs', 'sneaky'));
    await expect(checkOpenableFolder(join(dataDir, 'runs', 'sneaky'), [dataDir])).rejects.toMatchObject({
      code: 'NOT_ALLOWED',
    });
  });

  it('refuses an application bundle even inside the data folder', async () => {
    const { dataDir } = await tree();
    await expect(checkOpenableFolder(join(dataDir, 'Calculator.app'), [dataDir])).rejects.toThrow(
      'is an application bundle',
    );
  });

  it('refuses UNC paths before touching them, relative paths naming the field, and files', async () => {
    const { dataDir } = await tree();
    await expect(checkOpenableFolder('\\\\fileserver\\share', [dataDir])).rejects.toThrow(
      '\\\\fileserver\\share is a network path',
    );
    await expect(checkOpenableFolder('//fileserver/share', ['/'])).rejects.toMatchObject({ code: 'NOT_ALLOWED' });
    await expect(checkOpenableFolder('runs', [dataDir])).rejects.toThrow('path: "runs" is not an absolute folder path');
    await expect(checkOpenableFolder(join(dataDir, 'settings.json'), [dataDir])).rejects.toMatchObject({
      code: 'NOT_A_FOLDER',
    });
    await expect(checkOpenableFolder(join(dataDir, 'missing'), [dataDir])).rejects.toMatchObject({
      code: 'NOT_A_FOLDER',
    });
  });
});
