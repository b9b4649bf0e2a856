import { describe, expect, it } from 'vitest';
import { mkdtemp, readFile, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { recoverDir, writeDirAtomic } from '../../../main/runs/checkpoint-dir';

describe('writeDirAtomic', () => {
  it('replaces a folder whole and leaves no hidden leftovers', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'xlab-ckpt-'));
    const target = join(dir, 'last');
    await writeDirAtomic(target, { 'model.json': 'one', 'weights.bin': new Uint8Array([1]) });
    await writeDirAtomic(target, { 'model.json': 'two', 'weights.bin': new Uint8Array([2]) });
    expect(await readFile(join(target, 'model.json'), 'utf8')).toBe('two');
    expect(await readdir(dir)).toEqual(['last']);
  });

  it('a process killed (SIGKILL) while replacing leaves a complete checkpoint after recovery', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'xlab-ckpt-'));
    const target = join(dir, 'last');
    await writeDirAtomic(target, {
      'model.json': JSON.stringify({ n: 0 }),
      'weights.bin': new Uint8Array(1 << 20).fill(0),
    });
    // A child rewrites the checkpoint in a loop; each version's weights are filled with its number.
    // Node 20 cannot run TypeScript: bundle the module under test for the child, as the app is bundled.
    const bundle = join(dir, 'checkpoint-dir.mjs');
    await build({
      entryPoints: [fileURLToPath(new URL('../../../main/runs/checkpoint-dir.ts', import.meta.url))],
      outfile: bundle,
      bundle: true,
      platform: 'node',
      format: 'esm',
      logLevel: 'silent',
    });
    const moduleUrl = pathToFileURL(bundle).href;
    const script = `
      const { writeDirAtomic } = await import(${JSON.stringify(moduleUrl)});
      for (let n = 1; ; n++) {
        await writeDirAtomic(${JSON.stringify(target)}, { 'model.json': JSON.stringify({ n }), 'weights.bin': new Uint8Array(1 << 20).fill(n % 256) });
        if (n === 3) process.stdout.write('going\\n');
      }`;
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    await new Promise<void>((resolve, reject) => {
      child.stdout.once('data', () => resolve());
      child.once('exit', (code) => reject(new Error(`writer exited early (${code})`)));
    });
    await new Promise((r) => setTimeout(r, 37));
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
    expect(['intact', 'restored']).toContain(await recoverDir(target));
    const { n } = JSON.parse(await readFile(join(target, 'model.json'), 'utf8')) as { n: number };
    const weights = await readFile(join(target, 'weights.bin'));
    expect(weights.length).toBe(1 << 20);
    expect(weights.every((b) => b === n % 256)).toBe(true);
    expect((await readdir(dir)).filter((e) => e.startsWith('.'))).toEqual([]);
    expect(n).toBeGreaterThanOrEqual(3);
  });
});
