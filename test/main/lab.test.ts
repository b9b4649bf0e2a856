import { afterEach, describe, expect, it } from 'vitest';
import { mkdtemp, readFile, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { labMethods, type EngineInfo } from '../../main/contract';
import { createLab, type Lab } from '../../main/lab';
import { builtWorkerUrl } from '../helpers/built';
import { defaultEngine } from '../helpers/engines';

const labs: Lab[] = [];
async function newLab(env: NodeJS.ProcessEnv = {}, dataDir?: string): Promise<Lab> {
  const dir = dataDir ?? (await mkdtemp(join(tmpdir(), 'xlab-engine-')));
  const lab = await createLab({
    dataDir: dir,
    workerUrl: builtWorkerUrl(),
    env: { ...process.env, XLAB_BACKEND: '', ...env },
  });
  labs.push(lab);
  return lab;
}
afterEach(async () => {
  await Promise.all(labs.splice(0).map((lab) => lab.close()));
});

describe('createLab', () => {
  it('implements every call of the contract', async () => {
    const lab = await newLab();
    for (const method of labMethods) expect(typeof lab[method]).toBe('function');
  });

  it('loads the fastest engine here (pure JS, or tfjs-node when built), in the worker, and says why not a faster one', async () => {
    const lab = await newLab();
    const pushed = new Promise<EngineInfo>((resolve) => lab.events.on('engine', resolve));
    const engine = await lab.getEngine();
    expect(engine).toMatchObject({
      name: defaultEngine.name,
      device: 'cpu',
      backend: defaultEngine.name === 'tfjs' ? 'cpu' : 'tensorflow',
    });
    expect(engine.reason).toContain('tfjs-node-gpu is not installed');
    expect(await pushed).toEqual(engine);
    const log = await lab.getLog();
    expect(log.some((e) => e.message.startsWith(`Engine: ${defaultEngine.name} `))).toBe(true);
  });

  it('reports a forced engine that cannot load as the error of getEngine', async () => {
    const lab = await newLab({ XLAB_BACKEND: 'gpu' });
    await expect(lab.getEngine()).rejects.toMatchObject({
      code: 'ENGINE_UNAVAILABLE',
      message: expect.stringContaining('XLAB_BACKEND=gpu'),
    });
  });

  it('persists settings in the data folder and pushes the change', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'xlab-engine-'));
    const lab = await newLab({}, dir);
    const pushed = new Promise((resolve) => lab.events.on('settings', resolve));
    expect(await lab.updateSettings({ theme: 'dark' })).toEqual({ theme: 'dark' });
    expect(await pushed).toEqual({ theme: 'dark' });
    expect(JSON.parse(await readFile(join(dir, 'settings.json'), 'utf8'))).toEqual({ theme: 'dark' });
    const again = await newLab({}, dir);
    expect(await again.getSettings()).toEqual({ theme: 'dark' });
  });

  it('logs a warning, instead of failing, when settings.json is corrupt', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'xlab-engine-'));
    await writeFile(join(dir, 'settings.json'), 'not json');
    const lab = await newLab({}, dir);
    expect(await lab.getSettings()).toEqual({ theme: 'system' });
    expect((await lab.getLog())[0]).toMatchObject({ level: 'warn', message: expect.stringContaining('kept as') });
  });

  it('lists the bundled sample dataset with real counts', async () => {
    const lab = await newLab();
    const [sample] = await lab.listSamples();
    expect(sample).toMatchObject({ id: 'fashion-mini', name: 'Fashion-MNIST mini', license: 'MIT', images: 300 });
    expect(sample!.classes).toHaveLength(10);
    expect(sample!.classes.every((c) => c.images === 30)).toBe(true);
  });

  it('describes a model from the real layers (built in the worker) or lists every bad field', async () => {
    const lab = await newLab();
    const result = await lab.describeModel({ preset: 'micro', classes: 3 }, 8);
    if (!result.ok) throw new Error(JSON.stringify(result.issues));
    expect(result.model.summary.rows.at(-1)).toMatchObject({ name: 'predictions', outputShape: [null, 3] });
    expect(result.model.summary.totals.params).toBe(result.model.cost.params);
    expect(result.model.flows.map((f) => f.flow)).toEqual(['entry', 'middle', 'exit']);
    const bad = await lab.describeModel({ preset: 'micro', classes: 1, widthMultiplier: 'wide' });
    expect(bad).toMatchObject({ ok: false });
    expect(!bad.ok && bad.issues.map((i) => i.field).sort()).toEqual(['classes', 'widthMultiplier']);
    expect(await lab.describeModel({ preset: 'huge' })).toMatchObject({ ok: false, issues: [{ field: 'preset' }] });
  });

  it('names the data folder it cannot create', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'xlab-engine-'));
    await writeFile(join(dir, 'file'), '');
    await expect(createLab({ dataDir: join(dir, 'file', 'sub'), workerUrl: builtWorkerUrl() })).rejects.toThrow(
      /Cannot create the data folder .*file\/sub.*--data-dir or XLAB_HOME/,
    );
  });

  it('opens folders through the desktop shell it was given, only real folders; refuses without one (browser mode)', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'xlab-engine-'));
    const opened: string[] = [];
    const desktop = await createLab({
      dataDir: dir,
      workerUrl: builtWorkerUrl(),
      lazyEngine: true,
      openFolder: async (path) => void opened.push(path),
    });
    labs.push(desktop);
    await desktop.openFolder(dir);
    expect(opened).toEqual([dir]);
    await writeFile(join(dir, 'notes.txt'), '');
    await expect(desktop.openFolder(join(dir, 'notes.txt'))).rejects.toThrow(
      `${join(dir, 'notes.txt')} is not a folder (any more): it cannot be opened.`,
    );
    await expect(desktop.openFolder('runs')).rejects.toThrow('is not an absolute folder path');
    expect(opened).toEqual([dir]);
    const browser = await createLab({ dataDir: dir, workerUrl: builtWorkerUrl(), lazyEngine: true });
    labs.push(browser);
    await expect(browser.openFolder(dir)).rejects.toMatchObject({ code: 'NOT_AVAILABLE' });
  });

  it('reports its app info', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'xlab-engine-'));
    await mkdir(dir, { recursive: true });
    const lab = await newLab({}, dir);
    expect(await lab.getAppInfo()).toMatchObject({
      name: 'Xception Lab',
      dataDir: dir,
      versions: { node: process.versions.node },
    });
  });
});
