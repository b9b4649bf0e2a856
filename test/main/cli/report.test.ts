import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { mkdtemp, readFile, readdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../../../main/cli/program';
import { formatOfFile } from '../../../main/cli/report';
import { createRunStore, writeRun, xssName } from '../reports/report-fixtures';

// The report command never starts the training worker: a worker URL that does not exist proves it.
const noWorker = new URL('file:///nonexistent/training-worker.js');

let dataDir: string;
let ids: string[];

async function run(argv: string[], env: NodeJS.ProcessEnv = {}) {
  let stdout = '';
  let stderr = '';
  const code = await runCli(['--data-dir', dataDir, ...argv], {
    stdout: (t) => void (stdout += t),
    stderr: (t) => void (stderr += t),
    env: { ...process.env, XLAB_BACKEND: 'js', ...env },
    workerUrl: noWorker,
  });
  return { code, stdout, stderr };
}

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'xlab-cli-report-'));
  const store = createRunStore(dataDir);
  const classes = [xssName, 'rose'];
  ids = [
    await writeRun(store, dataDir, {
      name: 'Custom V3',
      preset: 'seed',
      classes,
      epochs: [{ loss: 1.2345, acc: 0.6123, val_loss: 1.1111, val_acc: 0.6222 }],
      params: 21_066_380,
    }),
    await writeRun(store, dataDir, {
      name: 'Mini',
      preset: 'mini',
      classes,
      epochs: [{ loss: 0.9876, acc: 0.7012, val_loss: 0.9543, val_acc: 0.7098 }],
      splitSeed: 9,
    }),
  ];
});

const cwd = process.cwd();
afterEach(() => process.chdir(cwd));

describe('xlab report', () => {
  it("writes an HTML report into the data folder's exports/ (as the app and the README say) under a new name, never replacing one", async () => {
    const elsewhere = await mkdtemp(join(tmpdir(), 'xlab-cli-out-'));
    process.chdir(elsewhere);
    const folder = join(dataDir, 'exports');
    const first = await run(['report', ...ids, '--title', 'Week 3', '--author', 'Ada']);
    expect(first.code).toBe(0);
    expect(first.stdout).toBe(`${join(folder, 'Week 3.html')}\n`);
    expect(first.stderr).toContain('Warning: The runs used different train/validation splits');
    expect(first.stderr).toContain('Wrote the HTML report of 2 runs');
    const html = await readFile(join(folder, 'Week 3.html'), 'utf8');
    expect(html).toMatch(/<\/span>Custom V3<\/td><td class="num">21,066,380<\/td><td class="num">1\.2345<\/td>/);
    expect(html).toContain('by Ada');
    const second = await run(['report', ...ids, '--title', 'Week 3', '--json']);
    expect(JSON.parse(second.stdout)).toEqual({ files: [join(folder, 'Week 3 (2).html')] });
    expect(await readdir(elsewhere)).toEqual([]);
  });

  it('--out writes exactly that file, takes the format from its extension, and refuses an existing file', async () => {
    const folder = await mkdtemp(join(tmpdir(), 'xlab-cli-out-'));
    const out = join(folder, 'table.csv');
    const written = await run(['report', ...ids, '--out', out, '--basis', 'best']);
    expect(written.code).toBe(0);
    expect(written.stdout.trim().split('\n')).toEqual([out, join(folder, 'table-summary.csv')]);
    expect(await readFile(join(folder, 'table-summary.csv'), 'utf8')).toContain(
      `${ids[0]},Custom V3,seed,completed,21066380,best,val_loss,1,1.2345,1.1111,0.6123,0.6222,1,1,65000,100,tfjs-node 4.22.0 (cpu),/datasets/flowers,`,
    );

    await writeFile(join(folder, 'mine.html'), 'my own page');
    const refused = await run(['report', ...ids, '--out', join(folder, 'mine.html')]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(
      `xlab: ${join(folder, 'mine.html')} already exists; reports never overwrite a file: choose another name.`,
    );
    expect(await readFile(join(folder, 'mine.html'), 'utf8')).toBe('my own page');
  });

  it(
    'prints PDF with headless Chromium, and says how to get one when there is none',
    { timeout: 300_000 },
    async () => {
      const folder = await mkdtemp(join(tmpdir(), 'xlab-cli-out-'));
      const pdf = await run(['report', ...ids, '--out', join(folder, 'r.pdf')], { XLAB_CHROMIUM: '/usr/bin/chromium' });
      expect(pdf.code).toBe(0);
      expect((await readFile(join(folder, 'r.pdf'))).subarray(0, 5).toString('latin1')).toBe('%PDF-');
      const missing = await run(['report', ...ids, '--format', 'pdf', '--out', join(folder, 'x.pdf')], {
        XLAB_CHROMIUM: '/nowhere/chromium',
      });
      expect(missing.code).toBe(1);
      expect(missing.stderr).toContain('XLAB_CHROMIUM is set to /nowhere/chromium, but there is no file there');
      expect(await readdir(folder)).toEqual(['r.pdf']);
    },
  );

  it('warns about runs it cannot read and fails when it can read none', async () => {
    const folder = await mkdtemp(join(tmpdir(), 'xlab-cli-out-'));
    const partial = await run(['report', ids[0]!, 'not-a-run', '--out', join(folder, 'r.md')]);
    expect(partial.code).toBe(0);
    expect(partial.stderr).toContain('Warning: Run not-a-run could not be read: "not-a-run" is not a run id');
    expect((await readdir(folder)).sort()).toEqual(['r-accuracy.png', 'r-loss.png', 'r.md']);
    const none = await run(['report', '20200101-000000-gone-0000']);
    expect(none.code).toBe(1);
    expect(none.stderr).toContain('xlab: None of the runs could be read');
    const usage = await run(['report', ids[0]!, '--format', 'docx']);
    expect(usage.code).toBe(2);
  });

  it('knows the formats of file extensions', () => {
    expect(formatOfFile('a.HTM')).toBe('html');
    expect(formatOfFile('a.markdown')).toBe('md');
    expect(formatOfFile('a.txt')).toBeUndefined();
  });
});
