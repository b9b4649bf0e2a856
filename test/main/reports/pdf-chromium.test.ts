/**
 * PDF export through a real headless Chromium (Debian's, installed by .ci/run), its text read
 * back with pdftotext (poppler-utils) to find the comparison table.
 */
import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { chromiumCandidates, createChromiumPrinter, findChromium } from '../../../main/reports/pdf-chromium';
import { createReportService } from '../../../main/reports/report-service';
import { app, createRunStore, fakeEvaluation, tempDataDir, writeRun, xssName } from './report-fixtures';

const chromiumPath = '/usr/bin/chromium';

describe('findChromium', () => {
  it('uses XLAB_CHROMIUM, and says so when it points nowhere', () => {
    expect(findChromium({ XLAB_CHROMIUM: '/opt/chrome' }, 'linux', (p) => p === '/opt/chrome')).toBe('/opt/chrome');
    expect(() => findChromium({ XLAB_CHROMIUM: '/nowhere/chrome' }, 'linux', () => false)).toThrow(
      'XLAB_CHROMIUM is set to /nowhere/chrome, but there is no file there: set it to the path of Chromium or Google Chrome, or unset it.',
    );
  });

  it('finds the first installed browser, or explains how to get one', () => {
    expect(findChromium({}, 'linux', (p) => p === '/usr/bin/google-chrome-stable')).toBe(
      '/usr/bin/google-chrome-stable',
    );
    let error: unknown;
    try {
      findChromium({}, 'linux', () => false);
    } catch (e) {
      error = e;
    }
    expect(error).toMatchObject({
      code: 'NO_CHROMIUM',
      message:
        'PDF export needs Chromium or Google Chrome: install it (e.g. apt install chromium) or set XLAB_CHROMIUM to its path; HTML export works without it.',
    });
    expect(chromiumCandidates('darwin', { HOME: '/Users/ada' })).toContain(
      '/Applications/Google Chrome.app/Contents/MacOS/Google Chrome',
    );
    expect(chromiumCandidates('win32', { PROGRAMFILES: 'C:\\Program Files' })).toContain(
      'C:\\Program Files\\Google\\Chrome\\Application\\chrome.exe',
    );
  });
});

describe('PDF through headless Chromium', () => {
  it(
    'prints the report; pdftotext finds the comparison table and the escaped class name as text',
    { timeout: 300_000 },
    async () => {
      if (!existsSync(chromiumPath))
        throw new Error(`Chromium not found at ${chromiumPath}: apt-get install chromium (.ci/run does).`);
      const dataDir = await tempDataDir();
      const store = createRunStore(dataDir);
      const classes = [xssName, ...Array.from({ length: 99 }, (_, i) => `class ${i + 1}`)];
      const v3 = await writeRun(store, dataDir, {
        name: 'Custom V3',
        preset: 'seed',
        classes,
        epochs: [
          { loss: 2.1234, acc: 0.3012, val_loss: 1.9876, val_acc: 0.3456 },
          { loss: 1.2345, acc: 0.6123, val_loss: 1.1111, val_acc: 0.6222 },
        ],
      });
      const mini = await writeRun(store, dataDir, {
        name: 'Mini',
        preset: 'mini',
        classes,
        epochs: [{ loss: 0.9876, acc: 0.7012, val_loss: 0.9543, val_acc: 0.7098 }],
        params: 123_456,
      });
      const service = createReportService({
        dataDir,
        runs: store,
        evaluations: async (id) =>
          id === v3
            ? [
                fakeEvaluation(
                  v3,
                  [xssName, 'rose'],
                  [
                    [3, 1],
                    [0, 4],
                  ],
                ),
              ]
            : [],
        appInfo: async () => app,
        pdf: createChromiumPrinter({ XLAB_CHROMIUM: chromiumPath }),
      });
      const { files } = await service.export({ runIds: [v3, mini], title: 'Lecture table' }, 'pdf', dataDir);
      const bytes = await readFile(files[0]!);
      expect(bytes.subarray(0, 5).toString('latin1')).toBe('%PDF-');
      const text = execFileSync('pdftotext', ['-layout', files[0]!, '-'], { encoding: 'utf8' });
      expect(text).toContain('Lecture table');
      expect(text).toMatch(/Model\s+Params\s+Loss\s+Val_Loss\s+ACC\s+Val_ACC/);
      expect(text).toMatch(/Custom V3\s+21,066,380\s+1\.2345\s+1\.1111\s+0\.6123\s+0\.6222/);
      expect(text).toMatch(/Mini\s+123,456\s+0\.9876\s+0\.9543\s+0\.7012\s+0\.7098/);
      expect(text).toContain(xssName);
    },
  );

  it('fits two evaluated runs on four A4 pages, each small table whole on one page', { timeout: 120_000 }, async () => {
    if (!existsSync(chromiumPath))
      throw new Error(`Chromium not found at ${chromiumPath}: apt-get install chromium (.ci/run does).`);
    const dataDir = await tempDataDir();
    const store = createRunStore(dataDir);
    const classes = [
      'Ankle_boot',
      'Bag',
      'Coat',
      'Dress',
      'Pullover',
      'Sandal',
      'Shirt',
      'Sneaker',
      'T-shirt_top',
      'Trouser',
    ];
    const epochs = [
      { loss: 2.0778, acc: 0.296, val_loss: 1.4964, val_acc: 0.617 },
      { loss: 1.2366, acc: 0.721, val_loss: 1.1784, val_acc: 0.567 },
      { loss: 0.772, acc: 0.808, val_loss: 1.0463, val_acc: 0.65 },
    ];
    const ids = [
      await writeRun(store, dataDir, { name: 'micro a', preset: 'micro', classes, epochs }),
      await writeRun(store, dataDir, {
        name: 'micro b',
        preset: 'micro',
        classes,
        epochs,
        training: { learningRate: 0.003 },
      }),
    ];
    const confusion = classes.map((_, r) => classes.map((_, c) => (r === c ? 4 : (r + c) % 5 === 0 ? 1 : 0)));
    const service = createReportService({
      dataDir,
      runs: store,
      evaluations: async (id) => [fakeEvaluation(id, classes, confusion)],
      appInfo: async () => app,
      pdf: createChromiumPrinter({ XLAB_CHROMIUM: chromiumPath }),
    });
    const { files } = await service.export(
      { runIds: ids, title: 'Two runs', notes: 'Compared on the sample.' },
      'pdf',
      dataDir,
    );
    const pdf = files[0]!;
    const pages = Number(/Pages:\s+(\d+)/.exec(execFileSync('pdfinfo', [pdf], { encoding: 'utf8' }))?.[1]);
    const texts = Array.from({ length: pages }, (_, i) =>
      execFileSync('pdftotext', ['-layout', '-f', String(i + 1), '-l', String(i + 1), pdf, '-'], { encoding: 'utf8' }),
    );
    expect(pages, texts.map((t, i) => `--- page ${i + 1} ---\n${t}`).join('\n')).toBeLessThanOrEqual(4);
    // No page starts half empty: the first holds the comparison and the curves.
    expect(texts[0]).toMatch(/Training curves/);

    // The dataset's class table: every row and its total on one page.
    const totalPage = texts.find((t) => /^\s*Total\s+\d+\s+\d+\s+\d+\s*$/m.test(t)) ?? '';
    for (const name of classes) expect(totalPage).toMatch(new RegExp(`^\\s*${name}\\s+\\d+\\s+\\d+\\s+\\d+\\s*$`, 'm'));

    // Each run's per-class table (a row: name, precision, recall, F1, support) whole on one page.
    const perClassRow = (name: string): RegExp =>
      new RegExp(`${name}\\s+0\\.\\d{4}\\s+\\d\\.\\d{4}\\s+0\\.\\d{4}\\s+\\d+`, 'g');
    const rowsPerPage = texts.map((t) => classes.map((name) => (t.match(perClassRow(name)) ?? []).length));
    const tables = rowsPerPage.flatMap((counts) => {
      const least = Math.min(...counts);
      const most = Math.max(...counts);
      expect(least, `a per-class table split across pages (rows per class on one page: ${counts.join(', ')})`).toBe(
        most,
      );
      return [most];
    });
    expect(tables.reduce((a, b) => a + b, 0)).toBe(2);
  });
});
