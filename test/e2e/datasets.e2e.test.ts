/**
 * End to end: the Datasets page against the real `xlab serve` (server + engine) in Debian's
 * Chromium. The test makes a small messy dataset (3 classes × 4 tiny PNGs, one class folder
 * named with HTML, a truncated PNG, an empty file, a .DS_Store), types its path and opens it:
 * class table, problems by reason, the HTML name shown as text, thumbnails, the augmentation
 * grid, the folder browser, a cancelled scan, axe in both themes — and the dataset folder is
 * byte-identical afterwards.
 *
 * Needs `npm run build` first; the screenshots go to test-results/e2e/.
 */
import { copyFile, lstat, mkdir, readdir, writeFile } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import type { Page } from 'playwright-core';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectNoSeriousAxeViolations, LabSession, resultsDir, chooseTheme } from './harness';

/** Markup as a class folder's name: it must show as these characters, never become an element. */
const hostile = '<img src=x onerror=alert(1)>';
const classes = ['cat', 'dog', hostile];
/** A machine shared with other work: generous waits for what the engine does. */
const slow = 60_000;

const session = new LabSession();
let page: Page;
let url: URL;
let datasetDir: string;
let bigDir: string;
let listingBefore: string[];
let pageErrors: string[] = [];
const dialogs: string[] = [];

/** A tiny PNG: a diagonal gradient with a bright corner, so flips and turns show in the preview. */
function png(width: number, height: number, seed: number): Promise<Buffer> {
  const pixels = Buffer.alloc(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * 3;
      const t = (x + y) / (width + height);
      const corner = x < width / 3 && y < height / 3;
      pixels[i] = corner ? 250 : Math.round(255 * t);
      pixels[i + 1] = corner ? 230 : (seed * 67) % 200;
      pixels[i + 2] = corner ? 60 : Math.round(255 * (1 - t));
    }
  }
  return sharp(pixels, { raw: { width, height, channels: 3 } })
    .png()
    .toBuffer();
}

/** The messy dataset: 3 classes × 4 distinct PNGs, a truncated PNG, an empty file, a .DS_Store. */
async function makeDataset(dir: string): Promise<void> {
  let n = 0;
  for (const name of classes) {
    await mkdir(join(dir, name), { recursive: true });
    for (let i = 0; i < 4; i++) {
      n += 1;
      await writeFile(join(dir, name, `img${i}.png`), await png(20 + i, 16 + (n % 3), n));
    }
  }
  const whole = await png(24, 24, 99);
  await writeFile(join(dir, 'cat', 'broken.png'), whole.subarray(0, Math.floor(whole.length / 2)));
  await writeFile(join(dir, 'dog', 'empty.png'), Buffer.alloc(0));
  await writeFile(join(dir, '.DS_Store'), Buffer.from([0, 0, 0, 1, 0x42, 0x75, 0x64, 0x31]));
}

/** Every file and folder under `dir` with its type, size and modification time (not access time). */
async function listing(dir: string): Promise<string[]> {
  const lines: string[] = [];
  const walk = async (folder: string): Promise<void> => {
    for (const entry of await readdir(folder)) {
      const path = join(folder, entry);
      const info = await lstat(path);
      lines.push(
        `${relative(dir, path).split(sep).join('/')}\t${info.isDirectory() ? 'dir' : 'file'}\t${info.size}\t${info.mtimeMs}`,
      );
      if (info.isDirectory()) await walk(path);
    }
  };
  const top = await lstat(dir);
  lines.push(`.\tdir\t${top.size}\t${top.mtimeMs}`);
  await walk(dir);
  return lines.sort();
}

const runAxe = (label: string): Promise<void> => expectNoSeriousAxeViolations(page, label);

const report = () => page.getByTestId('health-report');

/** The whole page: `main` scrolls, not the document, so the viewport grows to fit it for the shot. */
async function screenshotPage(file: string): Promise<void> {
  const height = await page.evaluate(() => {
    const main = document.querySelector('main');
    return main ? document.documentElement.clientHeight - main.clientHeight + main.scrollHeight : 800;
  });
  await page.setViewportSize({ width: 1280, height: Math.min(Math.max(height, 800), 8000) });
  await page.screenshot({ path: join(resultsDir, file) });
  await page.setViewportSize({ width: 1280, height: 800 });
}

/** Types a path in the field and presses Open; resolves once the report for it is shown. */
async function openPath(path: string): Promise<void> {
  await page.getByTestId('dataset-path').fill(path);
  await page.getByTestId('open-path').click();
  await page.waitForFunction(
    (root) => document.querySelector('[data-testid="health-report"] code')?.textContent === root,
    path,
    { timeout: slow },
  );
}

describe('Datasets page (xlab serve + Chromium)', () => {
  beforeAll(async () => {
    ({ url, page, pageErrors } = await session.open('xlab-e2e-', { width: 1280, height: 800 }, async () => {
      const work = await session.tempDir('xlab-e2e-ds-');
      datasetDir = join(work, 'messy');
      await makeDataset(datasetDir);
      // Enough files for a scan to be cancelled while it reads them.
      bigDir = join(work, 'big');
      const seed = join(datasetDir, 'cat', 'img0.png');
      for (const name of ['a', 'b', 'c']) {
        await mkdir(join(bigDir, name), { recursive: true });
        await Promise.all(Array.from({ length: 1000 }, (_, i) => copyFile(seed, join(bigDir, name, `${i}.png`))));
      }
      listingBefore = await listing(datasetDir);
    }));
    page.on('dialog', (dialog) => {
      dialogs.push(dialog.message());
      void dialog.dismiss();
    });
  }, 90_000);

  afterAll(() => session.close(), 30_000);

  it('keeps the bundled sample listed, with an Open button', async () => {
    await page.goto(url.href);
    const card = page.getByRole('article', { name: 'Fashion-MNIST mini' });
    await card.waitFor({ timeout: slow });
    expect(await page.getByRole('button', { name: 'Open Fashion-MNIST mini' }).count()).toBe(1);
    // In a browser the page says why a dropped folder cannot be opened, and offers the alternatives.
    expect(await page.getByTestId('browser-drop-note').textContent()).toMatch(
      /never tells a page where a dropped folder is/,
    );
  });

  it('opens a typed path and shows the class table with 3 classes and their counts', async () => {
    await openPath(datasetDir);
    const rows = page.getByTestId('class-table').locator('tbody tr');
    expect(await rows.count()).toBe(3);
    const cells = await rows.evaluateAll((trs) =>
      trs.map((tr) => [tr.querySelector('th')?.textContent ?? '', tr.querySelector('td')?.textContent ?? '']),
    );
    expect(cells).toEqual([
      [hostile, '4'],
      ['cat', '4'],
      ['dog', '4'],
    ]);
    const summary = (await page.getByTestId('report-summary').textContent()) ?? '';
    expect(summary).toMatch(/Usable images\s*12/);
    expect(summary).toMatch(/Ignored files\s*1/);
    expect(summary).toMatch(/PNG 12/);
    expect(summary).toMatch(/20×16 smallest/);
    expect(await page.getByTestId('class-chart').getAttribute('aria-hidden')).toBe('true');
    // Thumbnails are lazy: the last class's block is below the fold, so nothing is fetched for it yet.
    expect(await page.locator('[data-testid="class-thumbnails"][data-class="dog"] img').count()).toBe(0);
  });

  it('lists the problems grouped by reason: the empty file and the truncated PNG', async () => {
    const groups = page.getByTestId('problems').getByTestId('problem-group');
    expect(await groups.count()).toBe(2);
    const texts = await groups.allTextContents();
    expect(texts.find((t) => t.includes('empty file'))).toMatch(/dog\/empty\.png/);
    expect(texts.find((t) => /truncated PNG/.test(t))).toMatch(/cat\/broken\.png/);
    // The .DS_Store is ignored and counted, not a problem.
    expect(texts.join(' ')).not.toMatch(/DS_Store/);
  });

  it('shows the HTML-named class as text and injects no element', async () => {
    const header = page.getByTestId('class-table').getByRole('rowheader', { name: hostile, exact: true });
    expect(await header.textContent()).toBe(hostile);
    expect(await page.evaluate(() => document.querySelectorAll('img[src="x"]').length)).toBe(0);
    expect(dialogs).toEqual([]);
  });

  it('loads a class’s thumbnails lazily, with the relative paths as alt text', async () => {
    const block = page.locator('[data-testid="class-thumbnails"][data-class="cat"]');
    await page.getByTestId('class-table').getByRole('button', { name: 'Images of cat' }).click();
    await block.locator('img').nth(3).waitFor({ timeout: slow });
    const alts = await block.locator('img').evaluateAll((imgs) => imgs.map((img) => img.getAttribute('alt')));
    expect(alts).toEqual(['cat/img0.png', 'cat/img1.png', 'cat/img2.png', 'cat/img3.png']);
    expect(await block.textContent()).toMatch(/4 of 4 shown/);
    // The HTML-named class's thumbnails carry its name as text too.
    const hostileBlock = page.locator('[data-testid="class-thumbnails"]').first();
    await hostileBlock.scrollIntoViewIfNeeded();
    await hostileBlock.locator('img').first().waitFor({ timeout: slow });
    expect(await hostileBlock.locator('img').first().getAttribute('alt')).toBe(`${hostile}/img0.png`);
  });

  it('shows the augmentation preview grid of 8 variants, and another example on request', async () => {
    const grid = page.getByTestId('preview-grid');
    await grid.scrollIntoViewIfNeeded();
    await grid.locator('img').nth(7).waitFor({ timeout: slow });
    expect(await grid.locator('img').count()).toBe(8);
    const before = await grid.locator('img').first().getAttribute('src');
    await page.getByTestId('another-example').click();
    await page.waitForFunction(
      (src) => {
        const img = document.querySelector('[data-testid="preview-grid"] img');
        return img !== null && img.getAttribute('src') !== src;
      },
      before,
      { timeout: slow },
    );
    expect(await grid.locator('img').count()).toBe(8);
  });

  it('is free of serious accessibility issues in the light theme (report shown)', async () => {
    await page.getByRole('heading', { level: 1, name: 'Datasets' }).scrollIntoViewIfNeeded();
    await screenshotPage('datasets.png');
    await runAxe('light theme, Datasets page with a report');
  });

  it('browses the server’s folders into the temp dir, and suggests the parent of a class folder', async () => {
    await page.getByTestId('dataset-path').fill('');
    await page.getByTestId('browse-folders').click();
    const browser = page.getByTestId('folder-browser');
    await browser.waitFor();
    const subFolders = browser.getByRole('list', { name: /^Sub-folders of/ });
    await browser
      .getByRole('navigation', { name: 'Folder path' })
      .getByRole('button', { name: '/', exact: true })
      .click();
    await page.waitForFunction(
      () => document.querySelector('[data-testid="folder-browser"] [aria-current="location"]')?.textContent === '/',
    );
    // Down from the root, one folder at a time, to the dataset.
    const parts = datasetDir.split('/').filter(Boolean);
    for (const part of parts) {
      await subFolders.getByRole('button', { name: part, exact: true }).click();
      await page.waitForFunction(
        (name) =>
          document.querySelector('[data-testid="folder-browser"] [aria-current="location"]')?.textContent === name,
        part,
      );
    }
    const folders = await subFolders.getByRole('button').allTextContents();
    expect(folders.map((f) => f.trim())).toEqual([hostile, 'cat', 'dog'].sort());
    await subFolders.getByRole('button', { name: 'cat', exact: true }).click();
    const hint = page.getByTestId('class-folder-hint');
    await hint.waitFor();
    expect(await hint.textContent()).toMatch(/it looks like one class/);
    await hint.getByRole('button', { name: /Use the parent folder/ }).click();
    await page.waitForFunction(
      (path) => document.querySelector('[data-testid="health-report"] code')?.textContent === path,
      datasetDir,
      { timeout: slow },
    );
  });

  it('cancels a scan calmly, and shows the server’s message for a missing folder', async () => {
    await page.getByTestId('dataset-path').fill(bigDir);
    await page.getByTestId('open-path').click();
    const progress = page.getByTestId('scan-progress');
    await progress.waitFor({ timeout: slow });
    expect(await progress.textContent()).toMatch(/Images found.*Problems/s);
    await page.getByTestId('cancel-scan').click({ timeout: slow });
    const cancelled = page.getByTestId('scan-cancelled');
    await cancelled.waitFor({ timeout: slow });
    expect(await cancelled.textContent()).toMatch(/Scan cancelled/);
    expect(await page.getByTestId('scan-error').count()).toBe(0);

    await page.getByTestId('dataset-path').fill(join(datasetDir, 'missing'));
    await page.getByTestId('open-path').click();
    const error = page.getByTestId('scan-error');
    await error.waitFor({ timeout: slow });
    expect(await error.getAttribute('data-code')).toBe('DATASET_NOT_FOUND');
    expect(await error.textContent()).toMatch(/does not exist/);
  });

  it('opens a recent dataset and hands it to the Train page', async () => {
    const recent = page.getByTestId('recent-datasets');
    await recent.getByRole('button', { name: 'Open messy' }).click();
    await report().waitFor({ timeout: slow });
    await page.getByTestId('train-on-dataset').click();
    await page.getByRole('heading', { level: 1, name: 'Train' }).waitFor();
    expect(new URL(page.url()).hash).toBe('#/train');
    // Back on Datasets, the report is still there and marked as the one chosen.
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Datasets' }).click();
    await report().waitFor();
    expect(await report().textContent()).toMatch(/Chosen for training/);
  });

  it('is free of serious accessibility issues in the dark theme', async () => {
    await chooseTheme(page, 'dark');
    await page.getByTestId('preview-grid').locator('img').nth(7).waitFor({ timeout: slow });
    // The folder browser open too, at the dataset's folder (the path field's).
    await page.getByTestId('browse-folders').click();
    await page
      .getByTestId('folder-browser')
      .getByRole('list', { name: /^Sub-folders of/ })
      .waitFor();
    await screenshotPage('datasets-dark.png');
    await runAxe('dark theme, Datasets page with a report');
  });

  it('left the dataset folder byte-identical, and logged no page errors', async () => {
    expect(await listing(datasetDir)).toEqual(listingBefore);
    expect(await page.evaluate(() => document.querySelectorAll('img[src="x"]').length)).toBe(0);
    expect(dialogs).toEqual([]);
    expect(pageErrors).toEqual([]);
  });
});
