/**
 * The packaged app's layout, rebuilt with plain folders: the app in resources/app.asar (with its
 * node_modules), the training worker alone in resources/app.asar.unpacked/out (electron-builder's
 * asarUnpack), as electron/main.ts starts it. The worker must find every package through
 * app.asar, never next to its unpacked copy, where there is no node_modules.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { copyFile, mkdir, mkdtemp, readFile, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { startTrainingWorker, type TrainingWorkerHost } from '../../../main/engine/worker-host';
import { unpackedUrl } from '../../../main/fs/asar';
import { resolveModelConfig } from '../../../main/models/presets';
import { builtWorkerUrl, repoRoot } from '../../helpers/built';

const hosts: TrainingWorkerHost[] = [];
const dirs: string[] = [];
afterAll(async () => {
  await Promise.all(hosts.map((host) => host.terminate()));
  await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
});

describe('the training worker in a packaged app', () => {
  it('imports nothing but Node built-ins and its packages through require', async () => {
    const source = await readFile(builtWorkerUrl(), 'utf8');
    const specifiers = [
      ...source.matchAll(/^\s*import\b[^'"]*?from\s*["']([^"']+)["']|\bimport\(\s*["']([^"']+)["']\s*\)/gm),
    ].map((m) => m[1] ?? m[2]);
    expect(specifiers.filter((s) => !s!.startsWith('node:'))).toEqual([]);
  });

  it('runs from app.asar.unpacked and loads its engine from app.asar’s node_modules', async () => {
    const resources = await mkdtemp(join(tmpdir(), 'xlab-packaged-'));
    dirs.push(resources);
    const app = join(resources, 'app.asar');
    await mkdir(join(app, 'out'), { recursive: true });
    await copyFile(join(repoRoot, 'package.json'), join(app, 'package.json'));
    await symlink(join(repoRoot, 'node_modules'), join(app, 'node_modules'), 'junction');
    await mkdir(join(resources, 'app.asar.unpacked', 'out'), { recursive: true });
    await copyFile(builtWorkerUrl(), join(resources, 'app.asar.unpacked', 'out', 'training-worker.mjs'));

    // What electron/main.ts passes: its sibling inside app.asar, mapped to the unpacked copy.
    const workerUrl = unpackedUrl(pathToFileURL(join(app, 'out', 'training-worker.mjs')));
    expect(workerUrl.pathname).toContain('/app.asar.unpacked/out/');
    const host = startTrainingWorker({ workerUrl, env: { ...process.env, XLAB_BACKEND: 'js' } });
    hosts.push(host);
    expect(await host.engine).toMatchObject({ name: 'tfjs', device: 'cpu' });
    const summary = await host.request({
      kind: 'summarizeModel',
      config: resolveModelConfig({ preset: 'micro', classes: 2, inputSize: 32 }),
    });
    expect(summary.totals.params).toBeGreaterThan(0);
  }, 120_000);
});
