import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../../main/cli/program';
import { formatScanReport, printable } from '../../../main/cli/scan';
import type { ScanReport } from '../../../main/dataset/scan/report';
import { put, tempDir } from '../dataset/fixtures';
import { cut, jpeg, png } from '../dataset/scan-fixtures';

let dir: string;
let root: string;

beforeAll(async () => {
  dir = await tempDir('scan-cli');
  root = join(dir, 'data');
  const same = await png(6, 6);
  await put(join(root, 'cat/a.png'), same);
  await put(join(root, 'cat/b.jpg'), await jpeg(10, 8));
  await put(join(root, 'cat/broken.jpg'), cut(await jpeg(32, 32)));
  await put(join(root, 'dog/c.png'), await png(4, 4));
  await put(join(root, 'dog/copy.png'), same);
  await put(join(root, 'dog/\x1b[31mred.png'), '');
  await put(join(root, 'README.md'), 'hello');
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function run(...argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const io = {
    stdout: (t: string) => void (stdout += t),
    stderr: (t: string) => void (stderr += t),
    env: {},
    workerUrl: new URL('file:///unused'),
  };
  const code = await runCli(argv, io);
  return { code, stdout, stderr };
}

describe('xlab scan', () => {
  it('--json prints exactly the report contract on stdout and exits 0 despite problems', async () => {
    const { code, stdout, stderr } = await run('scan', root, '--json');
    expect(code).toBe(0);
    expect(stderr).toBe('');
    const report = JSON.parse(stdout) as ScanReport;
    expect(Object.keys(report).sort()).toEqual(
      [
        'classes',
        'duplicates',
        'fingerprint',
        'formats',
        'ignored',
        'ignoredFiles',
        'images',
        'layout',
        'problems',
        'root',
        'sizes',
        'validation',
        'warnings',
      ].sort(),
    );
    expect(report).toMatchObject({
      root,
      layout: 'folders',
      validation: 'full',
      classes: [
        { name: 'cat', images: 2 },
        { name: 'dog', images: 2 },
      ],
      problems: [
        { path: 'cat/broken.jpg', reason: 'truncated JPEG' },
        { path: 'dog/\x1b[31mred.png', reason: 'empty file' },
      ],
      ignored: 1,
      ignoredFiles: [{ path: 'README.md', reason: 'not an image, outside the class folders' }],
      images: 4,
      formats: { JPEG: 1, PNG: 3 },
      sizes: { min: { width: 4, height: 4 }, median: { width: 6, height: 6 }, max: { width: 10, height: 8 } },
      duplicates: [{ paths: ['cat/a.png', 'dog/copy.png'], classes: ['cat', 'dog'], bytes: expect.any(Number) }],
    });
    expect(report.fingerprint).toMatch(/^[0-9a-f]{64}$/);
    expect(report.warnings).toEqual([expect.stringMatching(/^1 image has exact copies in more than one class/)]);
  });

  it('prints a table, problems grouped by reason, and warnings; escapes control characters in names', async () => {
    const { code, stdout } = await run('scan', root, '--validate', 'headers');
    expect(code).toBe(0);
    expect(stdout).toContain('4 usable images in 2 classes');
    expect(stdout).toContain('2 problems, 1 ignored file (hidden, system or not images; listed with --json)');
    expect(stdout).toMatch(/Class\s+Images\n─+\ncat\s+2\ndog\s+2\n─+\nTotal\s+4/);
    expect(stdout).toContain('  truncated JPEG (1)\n    cat/broken.jpg\n');
    expect(stdout).toContain('dog/\\x1b[31mred.png');
    expect(stdout).not.toContain('\x1b');
    expect(stdout).toContain('Warnings:\n  - 1 image has exact copies');
    expect(printable('a\nb\u009bc')).toBe('a\\x0ab\\x9bc');
  });

  it('exits 1 with one sentence when the folder is missing, a file, or has no class folders', async () => {
    const missing = await run('scan', join(dir, 'missing'));
    expect(missing).toMatchObject({ code: 1, stdout: '' });
    expect(missing.stderr).toBe(`xlab: The dataset folder ${join(dir, 'missing')} does not exist: check the path.\n`);
    const file = join(dir, 'file.txt');
    await writeFile(file, 'x');
    expect((await run('scan', file)).stderr).toBe(
      `xlab: ${file} is not a folder: choose the folder that holds one sub-folder per class.\n`,
    );
    const flat = join(dir, 'flat');
    await put(join(flat, 'x.png'), await png());
    expect(await run('scan', flat, '--json')).toEqual({
      code: 1,
      stdout: '',
      stderr: `xlab: ${flat} has no class folders: put each class's images in its own sub-folder.\n`,
    });
  });

  it('a bad --validate value is a usage error (exit 2)', async () => {
    const { code, stderr } = await run('scan', root, '--validate', 'quick');
    expect(code).toBe(2);
    expect(stderr).toContain("'quick' is invalid");
  });

  it('the human output of an empty report still reads', () => {
    const text = formatScanReport({
      root: '/d',
      layout: 'splits',
      validation: 'headers',
      classes: [{ name: 'a', images: 0, train: 0, val: 0 }],
      problems: [],
      warnings: [],
      ignored: 0,
      ignoredFiles: [],
      images: 0,
      formats: {},
      sizes: null,
      duplicates: [],
      fingerprint: 'f',
    });
    expect(text).toMatch(/Class\s+Train\s+Val\s+Images\n/);
    expect(text).not.toContain('Sizes');
  });
});
