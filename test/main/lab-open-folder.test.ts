import { afterEach, describe, expect, it } from 'vitest';
import { mkdir, mkdtemp, realpath } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLab, type Lab } from '../../main/lab';
import { builtWorkerUrl } from '../helpers/built';
import { createRunStore, writeRun } from './reports/report-fixtures';

const sample = join(process.cwd(), 'assets', 'samples', 'fashion-mini');
const labs: Lab[] = [];
afterEach(async () => {
  await Promise.all(labs.splice(0).map((lab) => lab.close()));
});

async function desktopLab() {
  const base = await realpath(await mkdtemp(join(tmpdir(), 'xlab-open-engine-')));
  const dataDir = join(base, 'data');
  const opened: string[] = [];
  const lab = await createLab({
    dataDir,
    workerUrl: builtWorkerUrl(),
    lazyEngine: true,
    openFolder: async (path) => void opened.push(path),
  });
  labs.push(lab);
  return { base, dataDir, lab, opened };
}

describe('the engine’s openFolder and folder arguments', () => {
  it('opens the data folder and what is in it, refuses other folders and UNC paths', async () => {
    const { base, dataDir, lab, opened } = await desktopLab();
    await mkdir(join(dataDir, 'exports'), { recursive: true });
    await lab.openFolder(dataDir);
    await lab.openFolder(join(dataDir, 'exports'));
    expect(opened).toEqual([dataDir, join(dataDir, 'exports')]);
    await expect(lab.openFolder(base)).rejects.toMatchObject({ code: 'NOT_ALLOWED' });
    await expect(lab.openFolder('/')).rejects.toMatchObject({ code: 'NOT_ALLOWED' });
    await expect(lab.openFolder('\\\\fileserver\\share')).rejects.toMatchObject({ code: 'NOT_ALLOWED' });
    expect(opened).toHaveLength(2);
  });

  it('opens a dataset folder once the lab has opened (scanned) it', async () => {
    const { lab, opened } = await desktopLab();
    const bags = join(sample, 'Bag');
    await expect(lab.openFolder(bags)).rejects.toMatchObject({ code: 'NOT_ALLOWED' });
    await lab.scanDataset(sample, 'scan-1');
    await lab.openFolder(sample);
    await lab.openFolder(bags);
    expect(opened).toEqual([await realpath(sample), await realpath(bags)]);
  });

  it('opens a folder the user exported a report to, once it has been written', async () => {
    const { base, dataDir, lab, opened } = await desktopLab();
    const picked = join(base, 'my reports');
    await mkdir(picked);
    await expect(lab.openFolder(picked)).rejects.toMatchObject({ code: 'NOT_ALLOWED' });
    const runId = await writeRun(createRunStore(dataDir), dataDir, {
      name: 'a run',
      preset: 'micro',
      classes: ['a', 'b'],
      epochs: [{ loss: 1, acc: 0.5, val_loss: 1, val_acc: 0.5 }],
    });
    const { files } = await lab.exportReport({ runIds: [runId] }, 'csv', picked);
    expect(files.length).toBeGreaterThan(0);
    await lab.openFolder(picked);
    expect(opened).toEqual([picked]);
  });

  it('refuses relative dataset folders for thumbnails and previews, naming the argument', async () => {
    const { lab } = await desktopLab();
    await expect(lab.getThumbnails('assets/samples/fashion-mini', 'Bag', 0, 4)).rejects.toMatchObject({
      code: 'BAD_PATH',
      message: expect.stringMatching(
        /^root \(the dataset folder\): "assets\/samples\/fashion-mini" is not an absolute folder path/,
      ),
    });
    const augment = { flip: true, rotation: 0, zoom: 0, brightness: 0, contrast: 0, noise: 0 };
    await expect(lab.previewAugmentation('fashion-mini', augment, 32, 1, 0)).rejects.toMatchObject({
      code: 'BAD_PATH',
      message: expect.stringContaining('root (the dataset folder): "fashion-mini"'),
    });
  });
});
