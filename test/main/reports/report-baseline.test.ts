import { beforeAll, describe, expect, it } from 'vitest';
import type { BaselineList } from '../../../main/contract';
import { createReportService, type ReportService } from '../../../main/reports/report-service';
import { baselineCsvHeader, summaryCsvHeader } from '../../../main/reports/report-csv';
import { parseCsv } from './csv-parse';
import { app, createRunStore, tempDataDir, writeRun, xssName } from './report-fixtures';

let ids: string[];
let service: ReportService;
let pinned: BaselineList;

beforeAll(async () => {
  const dataDir = await tempDataDir();
  const store = createRunStore(dataDir);
  const classes = ['a', 'b'];
  const old = await writeRun(store, dataDir, {
    name: 'Old best',
    preset: 'micro',
    classes,
    epochs: [{ loss: 1.0, acc: 0.5, val_loss: 1.2, val_acc: 0.4 }],
  });
  const better = await writeRun(store, dataDir, {
    name: 'Better',
    preset: 'micro',
    classes,
    epochs: [{ loss: 0.75, acc: 0.625, val_loss: 1.0, val_acc: 0.5 }],
  });
  const worse = await writeRun(store, dataDir, {
    name: 'Worse',
    preset: 'micro',
    classes,
    epochs: [{ loss: 1.25, acc: 0.375, val_loss: 1.5, val_acc: 0.25 }],
  });
  ids = [old, better, worse];
  pinned = { baselines: [{ runId: old, label: xssName, pinnedAt: '2026-12-01T00:00:00.000Z' }], notices: [] };
  service = createReportService({
    dataDir,
    runs: store,
    evaluations: async () => [],
    appInfo: async () => app,
    baselines: async () => pinned,
    pdf: async () => new Uint8Array(),
  });
});

describe('report: Against the baseline', () => {
  it('HTML: a section with each run minus the baseline, arrow, sign and a word beside the colour; the label escaped', async () => {
    const { html } = await service.render({ runIds: [ids[1]!, ids[2]!], baseline: ids[0]! });
    const section = /<section id="baseline">([\s\S]*?)<\/section>/.exec(html)?.[1];
    expect(section).toContain('<h2>Against the baseline</h2>');
    expect(section).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(section).not.toContain('<img');
    expect(section).toContain('val_acc 0.4000 at epoch 1');
    expect(section).toMatch(
      /Better<\/td><td class="num better">▼ −0\.2500 \(better\)<\/td><td class="num better">▼ −0\.2000 \(better\)<\/td><td class="num better">▲ \+0\.1250 \(better\)<\/td><td class="num better">▲ \+0\.1000 \(better\)<\/td>/,
    );
    expect(section).toMatch(
      /Worse<\/td><td class="num worse">▲ \+0\.2500 \(worse\)<\/td>.*▼ −0\.1500 \(worse\)<\/td><\/tr>/,
    );
  });

  it('the baseline run among the reported runs is marked as the baseline', async () => {
    const { html } = await service.render({ runIds: ids, baseline: ids[0]! });
    expect(html).toMatch(/Old best<\/td><td class="num muted" colspan="4">the baseline<\/td>/);
  });

  it('Markdown and CSV carry the same deltas', async () => {
    const md = await service.download({ runIds: [ids[1]!], baseline: ids[0]! }, 'md');
    const markdown = Buffer.from(md.files[0]!.base64, 'base64').toString('utf8');
    expect(markdown).toContain('## Against the baseline');
    expect(markdown).toContain(
      '| Better | ▼ −0.2500 (better) | ▼ −0.2000 (better) | ▲ +0.1250 (better) | ▲ +0.1000 (better) |',
    );
    const csv = await service.download({ runIds: [ids[1]!, ids[2]!], baseline: ids[0]! }, 'csv');
    const summary = parseCsv(Buffer.from(csv.files[1]!.base64, 'base64').toString('utf8'));
    expect(summary[0]).toEqual([...summaryCsvHeader, ...baselineCsvHeader]);
    expect(summary[1]!.slice(-5)).toEqual([xssName, '-0.25', '-0.2', '0.125', '0.1']);
  });

  it('without a baseline: no section, the CSV header unchanged', async () => {
    const { html } = await service.render({ runIds: [ids[1]!] });
    expect(html).not.toContain('Against the baseline');
    const csv = await service.download({ runIds: [ids[1]!] }, 'csv');
    expect(parseCsv(Buffer.from(csv.files[1]!.base64, 'base64').toString('utf8'))[0]).toEqual([...summaryCsvHeader]);
  });

  it('a baseline no longer pinned (e.g. its run deleted) leaves the section out and says why, never a broken page', async () => {
    const { html } = await service.render({ runIds: [ids[1]!], baseline: '20200101-000000-gone' });
    expect(html).not.toContain('<section id="baseline">');
    expect(html).toContain('Run 20200101-000000-gone is not pinned as a baseline (any more)');
  });
});
