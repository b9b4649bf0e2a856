/**
 * End to end: the Train and Runs pages against the real `xlab serve` (server + training worker
 * on the pure-JS engine) in Debian's Chromium — start a run from the form, watch the progress
 * bar and the charts fill, see it complete and listed; stop after the first epoch and resume to
 * the end; rename and delete with confirmation; names shown as text; axe in both themes.
 *
 * The first run trains the bundled Fashion-MNIST sample with the micro preset (a couple of
 * seconds per epoch on the JS engine); stop and resume use a dataset the test makes itself
 * (3 classes × 40 noisy 20 px PNGs, one class named with markup), with small batches so an
 * epoch lasts long enough to click Stop in the middle of the run. Needs `npm run build` first;
 * screenshots go to test-results/e2e/.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectNoSeriousAxeViolations, LabSession, chooseTheme, screenshotWholePage } from './harness';

/** The engine loads tfjs in a worker; on a slow machine that takes a while. */
const engineTimeout = 120_000;
/** A tiny run (a few seconds per epoch) on a machine shared with other work. */
const runTimeout = 300_000;
/** Markup as a class and run name: it must show as these characters, never become an element. */
const hostile = '<img src=x onerror=alert(1)>';
const brokenRun = '20260101-000000-torn';

const session = new LabSession();
let page: Page;
let url: URL;
/** 3 classes × 40 images, one named with markup. */
let datasetDir: string;
let pageErrors: string[] = [];

/** 3 classes × `perClass` solid-colour PNGs with noise, one class named with markup. */
async function makeDataset(dir: string, perClass: number, size: number): Promise<void> {
  const classes: [string, [number, number, number]][] = [
    ['red', [220, 40, 40]],
    ['green', [40, 180, 60]],
    [hostile, [40, 80, 220]],
  ];
  let seed = 7;
  const random = (): number => (seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;
  for (const [name, rgb] of classes) {
    const folder = join(dir, name);
    await mkdir(folder, { recursive: true });
    for (let i = 0; i < perClass; i++) {
      const pixels = Buffer.alloc(size * size * 3);
      for (let p = 0; p < pixels.length; p++)
        pixels[p] = Math.max(0, Math.min(255, Math.round(rgb[p % 3]! + (random() - 0.5) * 90)));
      await sharp(pixels, { raw: { width: size, height: size, channels: 3 } })
        .png()
        .toFile(join(folder, `${i}.png`));
    }
  }
}

const runAxe = (label: string): Promise<void> => expectNoSeriousAxeViolations(page, label);

const screenshot = (file: string): Promise<void> => screenshotWholePage(page, file);

const nav = (): ReturnType<Page['getByRole']> => page.getByRole('navigation', { name: 'Main' });
const live = (): ReturnType<Page['getByTestId']> => page.getByTestId('live-view');

async function goTo(label: 'Train' | 'Runs & Compare'): Promise<void> {
  await nav().getByRole('link', { name: label }).click();
  await page.getByRole('heading', { level: 1, name: label }).waitFor();
}

type AttrTest = { atLeast: number } | { is: string } | { not: string };

/** Waits until an element's attribute passes `test` (checked in the page every frame). */
async function waitForAttr(testid: string, attr: string, test: AttrTest, timeout = runTimeout): Promise<void> {
  await page.waitForFunction(
    ({ testid, attr, test }) => {
      const value = document.querySelector(`[data-testid="${testid}"]`)?.getAttribute(attr);
      if (value == null) return false;
      if ('atLeast' in test) return Number(value) >= test.atLeast;
      if ('is' in test) return value === test.is;
      return value !== test.not;
    },
    { testid, attr, test },
    { timeout },
  );
}

/** Fills the form: the bundled sample, or a folder path. */
async function fillForm(values: {
  dataset: 'sample' | string;
  epochs: number;
  batch: number;
  name: string;
}): Promise<void> {
  const form = page.getByTestId('train-form');
  if (values.dataset === 'sample') {
    await form.getByLabel('Bundled sample').check();
    await form.getByLabel('Sample dataset').selectOption({ label: 'Fashion-MNIST mini' });
  } else {
    await form.getByLabel('Folder path').check();
    await form.getByLabel('Dataset folder').fill(values.dataset);
  }
  await form.getByLabel('Input size').fill('24');
  await form.getByLabel('Epochs').fill(String(values.epochs));
  await form.getByLabel('Batch size').fill(String(values.batch));
  await form.getByLabel('Run name').fill(values.name);
}

describe('Train and Runs pages (xlab serve + Chromium)', () => {
  beforeAll(async () => {
    ({ url, page, pageErrors } = await session.open(
      'xlab-e2e-train-',
      { width: 1280, height: 900 },
      async (dataDir) => {
        datasetDir = join(await session.tempDir('xlab-e2e-train-dataset-'), 'tiny-colours');
        await makeDataset(datasetDir, 40, 20);
        // A run whose run.json is torn: listed as an error row, the others still list.
        await mkdir(join(dataDir, 'runs', brokenRun), { recursive: true });
        await writeFile(join(dataDir, 'runs', brokenRun, 'run.json'), '{"formatVersion": 1, "id": ');
      },
    ));
    // An alert() would mean a name was parsed as markup.
    page.on('dialog', (dialog) => {
      pageErrors.push(`unexpected dialog: ${dialog.type()} ${dialog.message()}`);
      void dialog.dismiss();
    });
  }, 90_000);

  afterAll(() => session.close(), 30_000);

  it(
    'offers the bundled sample and the micro preset with its description',
    async () => {
      await page.goto(new URL('#/train', url).href);
      await page.getByRole('heading', { level: 1, name: 'Train' }).waitFor();
      const form = page.getByTestId('train-form');
      await form.waitFor({ timeout: engineTimeout });
      expect(await form.getByLabel('Bundled sample').isChecked()).toBe(true);
      expect(await form.getByLabel('Sample dataset').locator('option:checked').textContent()).toBe(
        'Fashion-MNIST mini',
      );
      const micro = page.getByTestId('train-preset-micro');
      expect(await micro.getByRole('radio').isChecked()).toBe(true);
      expect(await micro.textContent()).toMatch(/JavaScript engine/);
      expect(await form.getByLabel('Input size').inputValue()).toBe('24');
      // A bad value is caught next to its field before anything is sent.
      await form.getByLabel('Epochs').fill('0');
      await page.getByTestId('train-button').click();
      expect(await page.getByTestId('error-epochs').textContent()).toMatch(/at least 1/);
    },
    engineTimeout + 5_000,
  );

  it('shows the engine refusing a dataset next to the Train button', async () => {
    const form = page.getByTestId('train-form');
    await form.getByLabel('Epochs').fill('2');
    await form.getByLabel('Folder path').check();
    await form.getByLabel('Dataset folder').fill(join(datasetDir, 'missing'));
    await page.getByTestId('train-button').click();
    const error = page.getByTestId('start-error');
    await error.waitFor();
    expect(await error.textContent()).toMatch(/DATASET_NOT_FOUND.*does not exist/);
    expect(await form.getByLabel('Dataset folder').getAttribute('aria-invalid')).toBe('true');
  });

  it(
    'trains a run: the progress bar and the charts update, then it completes',
    async () => {
      await fillForm({ dataset: 'sample', epochs: 2, batch: 32, name: `micro ${hostile}` });
      await page.getByTestId('train-button').click();
      await live().waitFor({ timeout: 15_000 });
      expect(await page.getByTestId('start-error').count()).toBe(0);
      expect(await page.getByTestId('live-run-name').textContent()).toBe(`micro ${hostile}`);
      await page.getByRole('progressbar').waitFor();
      // Batch progress arrives before the first epoch ends.
      await waitForAttr('chart-batches', 'data-points', { atLeast: 1 });
      expect(await page.getByTestId('progress-text').textContent()).toMatch(/Epoch [12] of 2 · batch \d+ of \d+/);
      await waitForAttr('chart-loss', 'data-points', { atLeast: 1 });
      await waitForAttr('live-view', 'data-status', { not: 'running' });
      expect(await live().getAttribute('data-status')).toBe('completed');
      expect(await page.getByTestId('chart-loss').getAttribute('data-points')).toBe('2');
      expect(await page.getByTestId('chart-accuracy').getAttribute('data-points')).toBe('2');
      expect(await page.getByTestId('outcome').textContent()).toMatch(/Run completed\s+after 2 of 2 epochs/);
      expect(await page.getByTestId('best-val-acc').textContent()).toMatch(/^\d+\.\d%$/);
      expect(await page.getByTestId('estimate').textContent()).toMatch(/≈ \d+ (s|min) per epoch on tfjs \(CPU\)/);
      expect(Number(await page.getByRole('progressbar').getAttribute('value'))).toBe(1);
      expect(await page.getByTestId('train-log').textContent()).toMatch(/Run completed/);
      await screenshot('train.png');
      await runAxe('light theme, Train page after a run');
    },
    runTimeout + 10_000,
  );

  it('lists the run in Runs as completed, with its details', async () => {
    await page.getByTestId('open-runs').click();
    await page.getByRole('heading', { level: 1, name: 'Runs & Compare' }).waitFor();
    const row = page.getByTestId('run-row').filter({ hasText: `micro ${hostile}` });
    await row.waitFor();
    expect(await row.getAttribute('data-status')).toBe('completed');
    expect(await row.getByTestId('run-epochs').textContent()).toBe('2/2');
    expect(await row.textContent()).toMatch(/fashion-mini/);
    expect(await row.textContent()).toMatch(/micro · 24\spx/);
    expect(await row.textContent()).toMatch(/\d{1,3}(,\d{3})+/); // params with separators
    expect(await page.locator('th[aria-sort]').count()).toBe(0); // newest first, no column sorted
    const broken = page.locator(`[data-testid="run-row"][data-run-id="${brokenRun}"]`);
    expect(await broken.textContent()).toMatch(/Unreadable run\.json:.*not valid JSON/);

    await row.getByTestId('run-name').click();
    const details = page.getByTestId('run-details');
    await details.waitFor();
    await waitForAttr('chart-loss', 'data-points', { is: '2' }, 10_000);
    expect(await details.getByTestId('split-table').locator('tbody tr').count()).toBe(10);
    expect(await details.getByTestId('run-folder').inputValue()).toMatch(/runs[\\/]\d{8}-\d{6}/);
    expect(await details.textContent()).toMatch(/cannot open folders/);
    expect(await details.getByTestId('config-table').textContent()).toMatch(/learningRate/);

    // Sorting by a column says so to assistive technology.
    const paramsHeader = page.getByRole('columnheader', { name: 'Params' });
    await paramsHeader.getByRole('button').click();
    expect(await paramsHeader.getAttribute('aria-sort')).toBe('descending');
    await paramsHeader.getByRole('button').click();
    expect(await paramsHeader.getAttribute('aria-sort')).toBe('ascending');
    await page.getByRole('button', { name: 'Show newest first' }).click();
    expect(await page.locator('th[aria-sort]').count()).toBe(0);
  });

  it(
    'stops a run after its first epoch and resumes it to the end',
    async () => {
      await goTo('Train');
      await fillForm({ dataset: datasetDir, epochs: 3, batch: 4, name: 'stop and resume' });
      await page.getByTestId('train-button').click();
      await waitForAttr('live-view', 'data-status', { is: 'running' }, 15_000);
      expect(await page.getByTestId('live-run-name').textContent()).toBe('stop and resume');
      await waitForAttr('chart-loss', 'data-points', { atLeast: 1 });
      await page.getByTestId('stop-button').click();
      await waitForAttr('live-view', 'data-status', { not: 'running' });
      expect(await live().getAttribute('data-status')).toBe('stopped');
      expect(await page.getByTestId('progress-text').textContent()).toMatch(/^[12] of 3 epochs done$/);

      await page.getByTestId('resume-button').click();
      await waitForAttr('live-view', 'data-status', { is: 'running' }, 15_000);
      await waitForAttr('live-view', 'data-status', { not: 'running' });
      expect(await live().getAttribute('data-status')).toBe('completed');
      expect(await page.getByTestId('outcome').textContent()).toMatch(/after 3 of 3 epochs/);
      expect(await page.getByTestId('chart-loss').getAttribute('data-points')).toBe('3');

      await goTo('Runs & Compare');
      const row = page.getByTestId('run-row').filter({ hasText: 'stop and resume' });
      await row.waitFor();
      expect(await row.getAttribute('data-status')).toBe('completed');
      expect(await row.getByTestId('run-epochs').textContent()).toBe('3/3');

      // Its details: the class named with markup shows as text.
      await row.getByTestId('run-name').click();
      const details = page.getByTestId('run-details');
      await details.waitFor();
      expect(await details.getAttribute('data-run-id')).toBe(await row.getAttribute('data-run-id'));
      await waitForAttr('chart-loss', 'data-points', { is: '3' }, 10_000);
      expect(
        await details.getByTestId('split-table').getByRole('rowheader', { name: hostile, exact: true }).count(),
      ).toBe(1);
      expect(await page.locator('img[src="x"]').count()).toBe(0);
      await screenshot('runs.png');
      await runAxe('light theme, Runs page with details');
    },
    2 * runTimeout,
  );

  it('shows the folder it last trained on again after a reload', async () => {
    // Another tab is the same app loaded afresh, as after a reload; this page keeps its live view.
    const fresh = await session.browser!.context.newPage();
    try {
      await fresh.goto(new URL('#/train', url).href);
      const form = fresh.getByTestId('train-form');
      await form.waitFor({ timeout: engineTimeout });
      expect(await form.getByLabel('Folder path').isChecked()).toBe(true);
      expect(await form.getByLabel('Dataset folder').inputValue()).toBe(datasetDir);
    } finally {
      await fresh.close();
    }
  });

  it('renames a run inline and deletes one after confirming', async () => {
    const row = page.getByTestId('run-row').filter({ hasText: 'stop and resume' });
    await row.getByRole('button', { name: 'Rename stop and resume' }).click();
    const input = row.getByLabel('New name for stop and resume');
    await input.fill('resumed run');
    await input.press('Enter');
    const renamed = page.getByTestId('run-row').filter({ hasText: 'resumed run' });
    await renamed.waitFor();
    expect(await renamed.getByTestId('run-name').textContent()).toBe('resumed run');

    // Cancel (Escape) keeps a run; Delete removes it.
    const first = page.getByTestId('run-row').filter({ hasText: `micro ${hostile}` });
    await first.getByTestId('row-delete').click();
    const dialog = page.getByTestId('confirm-dialog');
    await dialog.waitFor();
    expect(await dialog.textContent()).toContain(`micro ${hostile}`);
    expect(await page.evaluate(() => document.activeElement?.textContent?.trim())).toBe('Cancel');
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'hidden' });
    expect(await page.evaluate(() => document.activeElement?.getAttribute('data-testid'))).toBe('row-delete');
    expect(await page.getByTestId('run-row').count()).toBe(3);

    await first.getByTestId('row-delete').click();
    await dialog.getByTestId('confirm-button').click();
    await dialog.waitFor({ state: 'hidden' });
    await expect.poll(() => page.getByTestId('run-row').count(), { timeout: 5_000 }).toBe(2);
    expect(await page.getByTestId('run-row').getByTestId('run-name').textContent()).toBe('resumed run');
  });

  it('has no serious or critical accessibility violations in the dark theme', async () => {
    await chooseTheme(page, 'dark');
    if (!(await page.getByTestId('run-details').isVisible())) await page.getByTestId('run-name').click();
    await page.getByTestId('run-details').waitFor();
    await runAxe('dark theme, Runs page with details');
    await screenshot('runs-dark.png');
    await goTo('Train');
    await live().waitFor();
    await runAxe('dark theme, Train page');
    await screenshot('train-dark.png');
  });

  it('logged no page errors (CSP violations, exceptions, alerts)', () => {
    expect(pageErrors).toEqual([]);
  });
});
