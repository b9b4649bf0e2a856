/**
 * End to end: Runs & Compare and Report against the real `xlab serve` (pure-JS engine) in
 * Debian's Chromium — two one-epoch micro runs on the bundled Fashion-MNIST sample (started over
 * the contract, as a script would; their training UI is train.e2e's subject), then in the UI:
 * tick both and see the lecture's table, the overlaid curves and the config diff; open a run's
 * confusion matrix by keyboard and mouse and see the images behind a cell; predict an uploaded
 * image; go to Report, see the preview and export HTML to a folder; axe on both pages.
 *
 * Needs `npm run build` first; screenshots go to test-results/e2e/.
 */
import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunDetails, RunInfo, SampleDataset } from '../../main/contract';
import {
  callLab as callLabAt,
  expectNoSeriousAxeViolations,
  LabSession,
  chooseTheme,
  screenshotWholePage,
} from './harness';

/** Two one-epoch micro runs and their evaluations on a machine shared with other work. */
const trainTimeout = 300_000;
const names = ['micro lr 0.001', 'micro lr 0.003'] as const;

const session = new LabSession();
let page: Page;
let url: URL;
let pageErrors: string[] = [];
let exportDir: string;
let sample: SampleDataset;
const runIds: string[] = [];

const callLab = (method: string, args: unknown[] = []): Promise<unknown> => callLabAt(url, method, args);

const screenshot = (file: string): Promise<void> => screenshotWholePage(page, file);

/** Trains one run over the contract and waits for it to end. */
async function train(name: string, learningRate: number): Promise<RunInfo> {
  const started = (await callLab('startTraining', [
    {
      dataset: sample.path,
      model: { preset: 'micro', inputSize: 24 },
      training: { epochs: 1, batchSize: 32, learningRate, seed: 7 },
      name,
    },
  ])) as RunInfo;
  const deadline = Date.now() + trainTimeout / 2;
  let run = started;
  while (run.status === 'running') {
    if (Date.now() > deadline) throw new Error(`${name} was still training after ${trainTimeout / 2000} s`);
    await new Promise((resolve) => setTimeout(resolve, 250));
    run = ((await callLab('getRun', [started.id])) as RunDetails).run;
  }
  return run;
}

const row = (name: string) =>
  page.getByTestId('run-row').filter({ has: page.getByTestId('run-name').getByText(name, { exact: true }) });

describe('Runs & Compare and Report pages (xlab serve + Chromium)', () => {
  beforeAll(async () => {
    ({ url, page, pageErrors } = await session.open('xlab-e2e-compare-', { width: 1280, height: 900 }));
    exportDir = await session.tempDir('xlab-e2e-compare-exports-');
    page.on('dialog', (dialog) => {
      pageErrors.push(`unexpected dialog: ${dialog.type()} ${dialog.message()}`);
      void dialog.dismiss();
    });
    const samples = (await callLab('listSamples')) as SampleDataset[];
    sample = samples.find((s) => s.id === 'fashion-mini') ?? samples[0]!;
    for (const [i, name] of names.entries()) {
      const run = await train(name, i === 0 ? 0.001 : 0.003);
      expect(run.status, `${name}: ${run.error?.message ?? ''}`).toBe('completed');
      runIds.push(run.id);
    }
  }, trainTimeout + 30_000);

  afterAll(() => session.close(), 30_000);

  it('compares the runs ticked: the lecture’s table, the curves and what differs', async () => {
    await page.goto(new URL('#/runs', url).href);
    await page.getByRole('heading', { level: 1, name: 'Runs & Compare' }).waitFor();
    for (const name of names)
      await row(name)
        .getByRole('checkbox', { name: `Compare ${name}` })
        .check();

    const compare = page.getByTestId('compare');
    await compare.getByRole('heading', { name: 'Comparing 2 runs' }).waitFor();
    const table = page.getByTestId('compare-table');
    await expect.poll(() => table.getByTestId('compare-row').count(), { timeout: 10_000 }).toBe(2);
    const headers = await table.locator('thead th').allTextContents();
    expect(headers.slice(0, 6).map((h) => h.trim())).toEqual(['Model', 'Params', 'Loss', 'Val_Loss', 'ACC', 'Val_ACC']);
    expect(await table.getByTestId('compare-model').allTextContents()).toEqual([...names]);
    const first = await table.getByTestId('compare-row').first().textContent();
    expect(first).toMatch(/\d{1,3}(,\d{3})+/); // params as the lecture writes them
    expect(first).toMatch(/\d\.\d{4}/);
    expect(first).toMatch(/fashion-mini · [0-9a-f]{8}/);

    // Sorting says so to assistive technology.
    const valAcc = table.getByRole('columnheader', { name: 'Val_ACC' });
    await valAcc.getByRole('button').click();
    expect(await valAcc.getAttribute('aria-sort')).toBe('descending');

    // Best epoch instead of the final one.
    await page.getByTestId('compare-basis').getByText('Best epoch').click();
    await expect.poll(() => table.locator('caption').textContent()).toMatch(/best epoch/);

    // Overlaid curves: a canvas each, two series per run.
    for (const id of ['compare-chart-loss', 'compare-chart-accuracy']) {
      const chart = page.getByTestId(id);
      expect(await chart.locator('canvas').count()).toBe(1);
      expect(await chart.getAttribute('data-points')).toBe('1');
      expect(await chart.getByRole('img').getAttribute('aria-label')).toContain(`${names[1]} · val`);
    }

    const diff = page.getByTestId('config-diff');
    const learningRate = diff.getByTestId('config-difference').filter({ hasText: /learning rate/i });
    expect(await learningRate.count()).toBe(1);
    expect(await learningRate.textContent()).toMatch(/0\.001.*0\.003/);
    expect(await page.getByTestId('compare-warnings').count()).toBe(0); // same dataset and split
    await screenshot('compare.png');
    await expectNoSeriousAxeViolations(page, 'light theme, Runs & Compare with two runs compared');
  });

  it('shows a run’s evaluation; a confusion cell, by keyboard or mouse, shows its images', async () => {
    await row(names[0]).getByTestId('run-name').click();
    const details = page.getByTestId('run-details');
    await details.waitFor();
    const evaluation = details.getByTestId('evaluation');
    // Completed runs are evaluated on val with the best checkpoint by themselves.
    const result = evaluation.getByTestId('evaluation-result');
    await result.waitFor({ timeout: 30_000 });
    expect(await result.getAttribute('data-key')).toBe('val/best');
    expect(await evaluation.getByTestId('eval-top1').textContent()).toMatch(/^\d+\.\d%$/);
    expect(await evaluation.getByTestId('per-class-table').locator('tbody tr').count()).toBe(10);

    const cells = evaluation.getByTestId('confusion-cell');
    expect(await cells.count()).toBe(100);
    const first = cells.first();
    expect(await first.getAttribute('aria-label')).toMatch(/^true \S.*, predicted \S.*: \d+ images?$/);
    // One Tab stop; the arrow keys move between cells.
    await first.focus();
    await page.keyboard.press('ArrowRight');
    expect(await page.evaluate(() => document.activeElement?.getAttribute('data-col'))).toBe('1');
    await page.keyboard.press('Home');
    await page.keyboard.press('Enter');
    expect(await first.getAttribute('aria-pressed')).toBe('true');
    await page.keyboard.press('ArrowDown');
    expect(
      await page.evaluate(() => [
        document.activeElement?.getAttribute('data-row'),
        document.activeElement?.getAttribute('tabindex'),
      ]),
    ).toEqual(['1', '0']);
    expect(await evaluation.getByTestId('cell-images').getByRole('heading').textContent()).toMatch(
      /^true .*, predicted /,
    );

    // The busiest cell, with the mouse: its images with true and predicted label and confidence.
    const counts = (await cells.evaluateAll((buttons) =>
      buttons.map((b) => Number(b.getAttribute('data-count'))),
    )) as number[];
    const busiest = counts.indexOf(Math.max(...counts));
    await cells.nth(busiest).click();
    const gallery = evaluation.getByTestId('cell-images');
    expect(Number(await gallery.getAttribute('data-count'))).toBe(counts[busiest]);
    const item = gallery.getByTestId('gallery-item').first();
    await item.locator('img[src^="data:image/png"]').waitFor({ timeout: 10_000 });
    expect(await item.textContent()).toMatch(/true.*predicted.*confidence\s*\d+\.\d%/s);

    // Row-normalised.
    await evaluation.getByTestId('matrix-mode').getByText('Row-normalised').click();
    expect(await cells.nth(busiest).textContent()).toMatch(/^\s*(0\.\d\d|0|1)\s*$/);

    // The misclassified images, the most confident mistakes first.
    const misclassified = evaluation.getByTestId('misclassified');
    const shown = await misclassified
      .getByTestId('gallery-item')
      .evaluateAll((items) => items.map((li) => Number(/confidence\s*([\d.]+)%/.exec(li.textContent ?? '')?.[1])));
    expect(shown).toEqual([...shown].sort((a, b) => b - a));
  });

  it('predicts an uploaded image: its top classes', async () => {
    const predict = page.getByTestId('predict');
    const images = await readdir(join(sample.path, 'Bag'));
    await predict.getByTestId('predict-input').setInputFiles(
      join(
        sample.path,
        'Bag',
        images.find((f) => f.endsWith('.png'))!,
      ),
    );
    const prediction = predict.getByTestId('prediction').first();
    await prediction.waitFor({ timeout: 15_000 });
    expect(await prediction.getByTestId('prediction-error').count()).toBe(0);
    expect(await prediction.getByRole('listitem').count()).toBe(5);
    expect(await prediction.textContent()).toMatch(/\d+\.\d%/);

    // The model, exported into a folder of the test's.
    const exporter = page.getByTestId('model-export');
    await exporter.getByTestId('export-model-button').click();
    await exporter.getByTestId('export-model-folder').fill(exportDir);
    await exporter.getByTestId('export-model-submit').click();
    const written = exporter.getByTestId('export-model-files');
    await written.waitFor({ timeout: 15_000 });
    const files = await written.locator('code').allTextContents();
    const modelJson = files.find((file) => file.endsWith('model.json'));
    expect(modelJson && modelJson.startsWith(exportDir) && existsSync(modelJson)).toBe(true);
    await screenshot('run-evaluation.png');
    await expectNoSeriousAxeViolations(page, 'light theme, run details with evaluation and prediction');
  });

  it('reports on the compared runs: live preview, HTML export into a folder', async () => {
    await page.getByRole('button', { name: 'Report on these…' }).click();
    await page.getByRole('heading', { level: 1, name: 'Report' }).waitFor();
    // The selection from Runs & Compare.
    for (const id of runIds)
      expect(await page.locator(`[data-testid="report-run"][data-run-id="${id}"]`).isChecked()).toBe(true);
    await page.getByTestId('report-title').fill('Learning rates on Fashion-MNIST');

    const frame = page.frameLocator('[data-testid="report-preview"]');
    expect(await page.getByTestId('report-preview').getAttribute('sandbox')).toBe('');
    await expect
      .poll(() => frame.locator('h1').first().textContent(), { timeout: 15_000 })
      .toContain('Learning rates on Fashion-MNIST');
    const preview = (await frame.locator('body').textContent()) ?? '';
    for (const name of names) expect(preview).toContain(name);
    expect(await frame.locator('table').count()).toBeGreaterThan(0);
    expect(preview).toMatch(/Val_ACC/);

    await page.getByTestId('report-folder').fill(exportDir);
    await page.getByTestId('export-html').click();
    const written = page.getByTestId('report-files');
    await written.waitFor({ timeout: 15_000 });
    const files = await written.locator('code').allTextContents();
    expect(files.length).toBeGreaterThan(0);
    const html = files.find((file) => file.endsWith('.html'))!;
    expect(html.startsWith(exportDir)).toBe(true);
    expect(existsSync(html)).toBe(true);
    const text = await readFile(html, 'utf8');
    for (const name of names) expect(text).toContain(name);
    expect(text).toContain('Learning rates on Fashion-MNIST');
    // The hint says what an empty field means; it never reads as "this folder is empty".
    expect(await page.getByTestId('report-folder-hint').textContent()).toMatch(
      /^If left empty, files go to \S+exports\. /,
    );
    // The export buttons are one width, whatever their label.
    const widths = await page
      .getByTestId('report-export')
      .locator('[data-testid^="export-"]')
      .evaluateAll((buttons) => buttons.map((b) => Math.round(b.getBoundingClientRect().width)));
    expect(widths).toHaveLength(4);
    expect(new Set(widths).size, `export buttons of widths ${widths.join(', ')}`).toBe(1);

    // Browser mode also downloads to the user's computer (the lab's disk may be a remote box's).
    const downloads: { name: string; text: string }[] = [];
    page.on('download', (download) => {
      void download
        .path()
        .then(async (path) =>
          downloads.push({ name: download.suggestedFilename(), text: await readFile(path!, 'utf8') }),
        );
    });
    await page.getByTestId('download-csv').click();
    await page.getByTestId('report-downloaded').waitFor({ timeout: 15_000 });
    await expect
      .poll(() => downloads.map((d) => d.name).sort(), { timeout: 10_000 })
      .toEqual(['Learning rates on Fashion-MNIST-summary.csv', 'Learning rates on Fashion-MNIST.csv']);
    const summary = downloads.find((d) => d.name.endsWith('-summary.csv'))!.text;
    for (const name of names) expect(summary).toContain(name);
    // The preview still shows the report (downloading does not disturb it).
    expect(await frame.locator('h1').first().textContent()).toContain('Learning rates on Fashion-MNIST');
    await screenshot('report.png');
    await expectNoSeriousAxeViolations(page, 'light theme, Report page');
  });

  it('has no serious or critical accessibility violations in the dark theme', async () => {
    await chooseTheme(page, 'dark');
    await expectNoSeriousAxeViolations(page, 'dark theme, Report page');
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Runs & Compare' }).click();
    await page.getByTestId('compare-table').waitFor();
    await page.getByTestId('evaluation-result').waitFor();
    await expectNoSeriousAxeViolations(page, 'dark theme, Runs & Compare with a comparison and an evaluation');
    await screenshot('compare-dark.png');
  });

  it('logged no page errors (CSP violations, exceptions, alerts)', () => {
    expect(pageErrors).toEqual([]);
  });
});
