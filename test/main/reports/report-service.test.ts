import { beforeAll, describe, expect, it } from 'vitest';
import { readFile, readdir, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import sharp from 'sharp';
import type { EvalResult } from '../../../main/contract';
import { LabError } from '../../../main/errors';
import { createReportService, type ReportService } from '../../../main/reports/report-service';
import { epochsCsvHeader, summaryCsvHeader } from '../../../main/reports/report-csv';
import { parseCsv } from './csv-parse';
import {
  app,
  createRunStore,
  fakeEvaluation,
  tempDataDir,
  writeRun,
  xssName,
  type EpochValues,
} from './report-fixtures';

const classes = [xssName, ...Array.from({ length: 99 }, (_, i) => `class ${i + 1}`)];
const curveV3: EpochValues[] = [
  { loss: 2.1234, acc: 0.3012, val_loss: 1.9876, val_acc: 0.3456 },
  { loss: 1.2345, acc: 0.6123, val_loss: 1.1111, val_acc: 0.6222 },
];
const curveMini: EpochValues[] = [
  { loss: 1.5, acc: 0.4, val_loss: 1.4, val_acc: 0.45 },
  { loss: 0.9876, acc: 0.7012, val_loss: 0.9543, val_acc: 0.7098 },
];

/** The text of each cell of each body row of the table with this id. */
function tableCells(html: string, id: string): string[][] {
  const table = new RegExp(`<table id="${id}"[^>]*>([\\s\\S]*?)</table>`).exec(html)?.[1];
  if (!table) throw new Error(`no table #${id}`);
  const body = /<tbody>([\s\S]*)<\/tbody>/.exec(table)![1]!;
  return [...body.matchAll(/<tr>([\s\S]*?)<\/tr>/g)].map((row) =>
    [...row[1]!.matchAll(/<t[dh][^>]*>([\s\S]*?)<\/t[dh]>/g)].map((cell) => cell[1]!.replace(/<[^>]+>/g, '').trim()),
  );
}

let dataDir: string;
let ids: string[];
let service: ReportService;
let evaluated: EvalResult;

beforeAll(async () => {
  dataDir = await tempDataDir();
  const store = createRunStore(dataDir);
  const v3 = await writeRun(store, dataDir, { name: 'Custom V3', preset: 'seed', classes, epochs: curveV3 });
  const mini = await writeRun(store, dataDir, {
    name: xssName,
    preset: 'mini',
    classes,
    epochs: curveMini,
    params: 123_456,
    model: { inputSize: 64 },
  });
  ids = [v3, mini];
  const small = [xssName, 'tulip', 'rose'];
  evaluated = fakeEvaluation(v3, small, [
    [3, 1, 0],
    [0, 4, 0],
    [1, 0, 2],
  ]);
  service = createReportService({
    dataDir,
    runs: store,
    evaluations: async (runId) => {
      if (runId === v3) return [evaluated];
      throw new LabError('NOT_IMPLEMENTED', 'Evaluation is not built yet.');
    },
    appInfo: async () => app,
    now: () => new Date('2026-11-25T21:08:00Z'),
    pdf: async () => {
      throw new Error('not used here');
    },
  });
});

const request = () => ({
  runIds: ids,
  title: `Flowers ${xssName}`,
  author: `Ada ${xssName}`,
  notes: `First line\n${xssName} & more`,
});

describe('HTML report', () => {
  it('has the comparison table with the lecture columns and formatted values', async () => {
    const { html } = await service.render(request());
    expect(tableCells(html, 'comparison-table')).toEqual([
      ['Custom V3', '21,066,380', '1.2345', '1.1111', '0.6123', '0.6222'],
      [`&lt;img src=x onerror=alert(1)&gt;`, '123,456', '0.9876', '0.9543', '0.7012', '0.7098'],
    ]);
    expect(html).toMatch(
      /<th[^>]*>Model<\/th><th[^>]*>Params<\/th><th[^>]*>Loss<\/th><th[^>]*>Val_Loss<\/th><th[^>]*>ACC<\/th><th[^>]*>Val_ACC<\/th>/,
    );
    const details = tableCells(html, 'run-details');
    expect(details[0]).toEqual(
      expect.arrayContaining(['completed', '2', '2 / 2', '1 min 05 s', '105', 'tfjs-node 4.22.0 (cpu)']),
    );
    const differences = tableCells(html, 'differences');
    expect(differences).toContainEqual(['block style', 'seed', 'keras']);
    expect(differences).toContainEqual(['input size', '299', '64']);
  });

  it('uses the best epoch when asked', async () => {
    const { html } = await service.render({ ...request(), basis: 'best' });
    expect(tableCells(html, 'comparison-table')[0]).toEqual([
      'Custom V3',
      '21,066,380',
      '1.2345',
      '1.1111',
      '0.6123',
      '0.6222',
    ]);
    expect(html).toContain('each run&#39;s best epoch (lowest val_loss)');
  });

  it('is self-contained: a CSP, no scripts, no URL of any kind', async () => {
    const { html } = await service.render(request());
    expect(html).toContain(
      `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; img-src data:; style-src 'unsafe-inline'">`,
    );
    expect(html).not.toMatch(/https?:/i);
    expect(html).not.toMatch(/<script|<link|@import|url\(/i);
    expect(html).not.toMatch(/src="(?!data:)/);
    expect(html).toContain('@media print');
    expect((html.match(/<svg /g) ?? []).length).toBe(3); // loss, accuracy, one confusion matrix
  });

  it('escapes every user value: title, author, notes, run and class names', async () => {
    const { html } = await service.render(request());
    expect(html).not.toContain('<img');
    expect(html).not.toContain(xssName);
    expect(html).toContain('<title>Flowers &lt;img src=x onerror=alert(1)&gt;</title>');
    expect(html).toContain('by Ada &lt;img src=x onerror=alert(1)&gt;');
    expect(html).toContain('&lt;img src=x onerror=alert(1)&gt; &amp; more');
    // The class in the dataset table, the per-class table and the confusion matrix.
    expect(html).toContain('<td>&lt;img src=x onerror=alert(1)&gt;</td><td class="num">8</td>');
    expect(html).toMatch(/<text[^>]*>&lt;img src=x onerror=alert\(1\)&gt;<\/text>/);
  });

  it('shows evaluations, the dataset, architectures and environment; a run whose evaluations fail gets a note', async () => {
    const { html } = await service.render(request());
    expect(html).toContain('Custom V3: validation split, best checkpoint (epoch 2)');
    expect(html).toContain('<dt>top-1 accuracy</dt><dd>0.7500 (75.0%)</dd>');
    expect(html).toContain('<dt>classes</dt><dd>100</dd>');
    expect(html).toContain('<dt>images</dt><dd>5,950</dd>'); // Σ (8 + i) + 2 over 100 classes
    expect(html).toContain('<dt>block style</dt><dd>seed (post-activation, the lecture&#39;s block())</dd>');
    expect(html).toContain('<dt>middle flow</dt><dd>2 × 728 (× 0.25 → 182)</dd>');
    expect(html).toContain('<dt>parameters</dt><dd>21,066,380</dd>');
    expect(html).toContain('<dt>engine</dt><dd>tfjs-node 4.22.0 (cpu)</dd>');
    expect(html).toContain(
      'The evaluations of &quot;&lt;img src=x onerror=alert(1)&gt;&quot; could not be read (Evaluation is not built yet.)',
    );
  });

  it('reports unreadable runs and refuses a report with no readable run', async () => {
    const { html } = await service.render({ runIds: [ids[0]!, '20200101-000000-gone-0000'] });
    expect(html).toContain('Run 20200101-000000-gone-0000 could not be read');
    await expect(service.render({ runIds: ['20200101-000000-gone-0000'] })).rejects.toMatchObject({ code: 'NO_RUNS' });
    await expect(service.render({ runIds: [] })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
  });
});

describe('exporting', () => {
  it('writes HTML under the title, never over an existing file', async () => {
    const folder = join(await tempDataDir(), 'out');
    const first = await service.export({ runIds: ids, title: 'Week 3' }, 'html', folder);
    const second = await service.export({ runIds: ids, title: 'Week 3' }, 'html', folder);
    expect(first.files).toEqual([join(folder, 'Week 3.html')]);
    expect(second.files).toEqual([join(folder, 'Week 3 (2).html')]);
    expect(await readFile(first.files[0]!, 'utf8')).toContain('21,066,380');
    await expect(service.export({ runIds: ids }, 'html', 'relative/folder')).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
    });
  });

  it('writes Markdown with PNG charts beside it in a new folder, everything escaped', async () => {
    const folder = await tempDataDir();
    const { files } = await service.export(request(), 'md', folder);
    const dir = join(folder, 'Flowers img src=x onerror=alert(1)');
    expect(files.map((f) => basename(f))).toEqual(['report.md', 'loss.png', 'accuracy.png', 'confusion-1.png']);
    expect(files.every((f) => f.startsWith(dir))).toBe(true);
    const md = await readFile(files[0]!, 'utf8');
    expect(md).toContain('| Custom V3 | 21,066,380 | 1.2345 | 1.1111 | 0.6123 | 0.6222 |');
    expect(md).toContain('| \\<img src=x onerror=alert(1)\\> | 123,456 | 0.9876 | 0.9543 | 0.7012 | 0.7098 |');
    expect(md).not.toMatch(/(^|[^\\])<img/);
    expect(md).toContain('![Loss curves](loss.png)');
    expect(md).toContain('![Confusion matrix](confusion-1.png)');
    for (const png of files.slice(1)) {
      const meta = await sharp(png).metadata();
      expect(meta.format).toBe('png');
      expect(meta.width).toBeGreaterThan(300);
    }
  });

  it('writes an epochs CSV and a summary CSV that read back to the same values', async () => {
    const folder = await tempDataDir();
    const { files } = await service.export({ runIds: ids, basis: 'best' }, 'csv', folder);
    expect(files.map((f) => basename(f))).toEqual(['Xception Lab report.csv', 'Xception Lab report-summary.csv']);
    const epochs = parseCsv(await readFile(files[0]!, 'utf8'));
    expect(epochs[0]).toEqual([...epochsCsvHeader]);
    expect(epochs).toHaveLength(1 + 4);
    const col = (name: string): number => epochsCsvHeader.indexOf(name as (typeof epochsCsvHeader)[number]);
    expect(epochs[2]![col('model')]).toBe('Custom V3');
    expect(epochs[2]![col('epoch')]).toBe('2');
    expect(Number(epochs[2]![col('val_acc')])).toBe(0.6222);
    expect(epochs[3]![col('model')]).toBe(xssName);
    const summary = parseCsv(await readFile(files[1]!, 'utf8'));
    expect(summary[0]).toEqual([...summaryCsvHeader]);
    const record = Object.fromEntries(summaryCsvHeader.map((h, i) => [h, summary[1]![i]]));
    expect(record).toMatchObject({
      model: 'Custom V3',
      params: '21066380',
      basis: 'best',
      epoch: '2',
      loss: '1.2345',
      val_loss: '1.1111',
      acc: '0.6123',
      val_acc: '0.6222',
      preset: 'seed',
    });
    expect(summary[2]![1]).toBe(xssName);
  });

  it('gives the same files in memory for a browser to download: Markdown charts named after the report, media types set', async () => {
    const { files } = await service.download({ runIds: ids, title: 'Lab 3' }, 'md');
    expect(files.map((f) => [f.name, f.type])).toEqual([
      ['Lab 3.md', 'text/markdown;charset=utf-8'],
      ['Lab 3-loss.png', 'image/png'],
      ['Lab 3-accuracy.png', 'image/png'],
      ['Lab 3-confusion-1.png', 'image/png'],
    ]);
    const md = Buffer.from(files[0]!.base64, 'base64').toString('utf8');
    expect(md).toContain('| Custom V3 | 21,066,380 | 1.2345 | 1.1111 | 0.6123 | 0.6222 |');
    expect(md).toContain('![Loss curves](Lab%203-loss.png)');
    expect((await sharp(Buffer.from(files[1]!.base64, 'base64')).metadata()).format).toBe('png');
    const csv = await service.download({ runIds: ids }, 'csv');
    expect(csv.files.map((f) => f.name)).toEqual(['Xception Lab report.csv', 'Xception Lab report-summary.csv']);
    expect(parseCsv(Buffer.from(csv.files[1]!.base64, 'base64').toString('utf8'))[0]).toEqual([...summaryCsvHeader]);
  });

  it('writes exactly the file asked for, and refuses to replace any file', async () => {
    const folder = await tempDataDir();
    const target = join(folder, 'my report.md');
    const { files } = await service.exportTo({ runIds: ids }, 'md', target);
    expect(files.map((f) => basename(f))).toEqual([
      'my report.md',
      'my report-loss.png',
      'my report-accuracy.png',
      'my report-confusion-1.png',
    ]);
    expect(await readFile(target, 'utf8')).toContain('![Loss curves](my%20report-loss.png)');

    const csv = join(folder, 'numbers.csv');
    await writeFile(join(folder, 'numbers-summary.csv'), 'mine');
    await expect(service.exportTo({ runIds: ids }, 'csv', csv)).rejects.toThrow(
      `${join(folder, 'numbers-summary.csv')} already exists; reports never overwrite a file: choose another name.`,
    );
    expect(await readFile(join(folder, 'numbers-summary.csv'), 'utf8')).toBe('mine');
    expect(await readdir(folder)).not.toContain('numbers.csv');
  });

  it('prints PDF through the printer it was given, from the same HTML', async () => {
    const folder = await tempDataDir();
    let printed = '';
    const withPdf = createReportService({
      dataDir,
      runs: createRunStore(dataDir),
      evaluations: async () => [],
      appInfo: async () => app,
      pdf: async (html) => {
        printed = html;
        return new TextEncoder().encode('%PDF-1.4 fake');
      },
    });
    const { files } = await withPdf.export({ runIds: ids, title: 'Print me' }, 'pdf', folder);
    expect(files).toEqual([join(folder, 'Print me.pdf')]);
    expect(await readFile(files[0]!, 'utf8')).toBe('%PDF-1.4 fake');
    expect(printed).toContain('<h1>Print me</h1>');
  });
});
