import { describe, expect, it } from 'vitest';
import { mkdir, mkdtemp, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { browseFolder } from '../../../main/fs/browse-folder';

describe('browseFolder', () => {
  it('lists visible sub-folders sorted, counts images, and gives the parent', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'xlab-browse-'));
    await mkdir(join(dir, 'cats'));
    await mkdir(join(dir, 'Dogs'));
    await mkdir(join(dir, '.hidden'));
    await symlink(join(dir, 'cats'), join(dir, 'linked'));
    await writeFile(join(dir, 'a.PNG'), '');
    await writeFile(join(dir, 'notes.txt'), '');
    const listing = await browseFolder(dir);
    expect(listing.path).toBe(dir);
    expect(listing.parent).toBe(dirname(dir));
    expect(listing.folders.map((f) => f.name)).toEqual(['cats', 'Dogs', 'linked']);
    expect(listing.imageFiles).toBe(1);
  });

  it('starts at home and has no parent at the root', async () => {
    expect((await browseFolder(undefined, '/tmp')).path).toBe('/tmp');
    expect((await browseFolder('/')).parent).toBeUndefined();
  });

  it('explains what is wrong with the path', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'xlab-browse-'));
    await writeFile(join(dir, 'file'), '');
    await expect(browseFolder('relative/path')).rejects.toThrow('is not an absolute folder path');
    await expect(browseFolder(join(dir, 'missing'))).rejects.toThrow('does not exist');
    await expect(browseFolder(join(dir, 'file'))).rejects.toThrow('is a file, not a folder');
  });
});
