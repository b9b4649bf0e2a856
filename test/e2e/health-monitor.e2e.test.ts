/**
 * End to end (issue 12: points 2, 3 and 13), against the real `xlab serve` in Chromium: a
 * dataset with an empty class folder, a damaged image and a notes.txt. The health report lists
 * the notes.txt as ignored (not a problem); the Train page warns before training; a run with
 * the val_accuracy monitor trains only the usable classes, and every view says what its best
 * epoch means. Needs `npm run build` first.
 */
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LabSession } from './harness';

/** Loading the engine and a tiny run on a machine shared with other work. */
const slow = 120_000;

const session = new LabSession();
let page: Page;
let url: URL;
let dataDir: string;
let datasetDir: string;
let pageErrors: string[] = [];

/** red and blue (12 noisy 16 px PNGs each, one damaged), an empty class, a notes.txt. */
async function makeDataset(dir: string): Promise<void> {
  let seed = 3;
  const random = (): number => (seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;
  for (const [name, rgb] of [
    ['blue', [40, 60, 220]],
    ['red', [220, 40, 40]],
  ] as const) {
    await mkdir(join(dir, name), { recursive: true });
    for (let i = 0; i < 12; i++) {
      const pixels = Buffer.alloc(16 * 16 * 3);
      for (let p = 0; p < pixels.length; p++)
        pixels[p] = Math.max(0, Math.min(255, Math.round(rgb[p % 3]! + (random() - 0.5) * 90)));
      await sharp(pixels, { raw: { width: 16, height: 16, channels: 3 } })
        .png()
        .toFile(join(dir, name, `${i}.png`));
    }
  }
  await writeFile(join(dir, 'red', 'damaged.png'), 'this is text, not a PNG');
  await writeFile(join(dir, 'blue', 'notes.txt'), 'where these came from\n');
  await mkdir(join(dir, 'empty_class'));
}

describe('health report, Train warnings and the best-epoch monitor (xlab serve + Chromium)', () => {
  beforeAll(async () => {
    ({ url, page, pageErrors } = await session.open('xlab-e2e-health-', { width: 1400, height: 900 }, async (dir) => {
      dataDir = dir;
      datasetDir = join(await session.tempDir('xlab-e2e-health-dataset-'), 'hostile');
      await makeDataset(datasetDir);
    }));
  }, 90_000);

  afterAll(() => session.close(), 30_000);

  it(
    'lists notes.txt as an ignored file, not a problem; the damaged .png is a problem',
    async () => {
      await page.goto(url.href);
      await page.getByTestId('dataset-path').fill(datasetDir);
      await page.getByTestId('open-path').click();
      await page.waitForFunction(
        (root) => document.querySelector('[data-testid="health-report"] code')?.textContent === root,
        datasetDir,
        { timeout: slow },
      );
      const problems = (await page.getByTestId('problems').textContent()) ?? '';
      expect(problems).toContain('red/damaged.png');
      expect(problems).not.toContain('notes.txt');
      const ignored = page.getByTestId('ignored-files');
      await ignored.locator('summary').click();
      expect(await ignored.textContent()).toMatch(
        /Show the 1 ignored file[\s\S]*not an image file[\s\S]*blue\/notes\.txt/,
      );
    },
    slow,
  );

  it(
    'warns on the Train page before training: the problem file and the empty class left out',
    async () => {
      await page.getByTestId('train-on-dataset').click();
      await page.getByRole('heading', { level: 1, name: 'Train' }).waitFor();
      const warnings = page.getByTestId('train-dataset-warnings');
      await warnings.waitFor({ timeout: slow });
      const text = (await warnings.textContent()) ?? '';
      expect(text).toContain('1 file has a problem');
      expect(text).toContain('"empty_class" has no usable images and is left out: the model gets 2 classes.');
    },
    slow,
  );

  it(
    'trains only the usable classes, best epoch by val_accuracy, and says so in the summary and the Runs table',
    async () => {
      const form = page.getByTestId('train-form');
      await form.getByLabel('Input size').fill('24');
      await form.getByLabel('Epochs').fill('3');
      await form.getByLabel('Batch size').fill('8');
      await form.getByLabel('Run name').fill('by accuracy');
      await page.getByTestId('train-monitor').selectOption('val_accuracy');
      await page.getByTestId('train-button').click();
      await page.waitForFunction(
        () => document.querySelector('[data-testid="live-view"], [data-testid="start-error"]') !== null,
        undefined,
        { timeout: slow },
      );
      expect(await page.getByTestId('start-error').allTextContents()).toEqual([]);
      await page.waitForFunction(
        () => {
          const status = document.querySelector('[data-testid="live-view"]')?.getAttribute('data-status');
          return status != null && status !== 'running';
        },
        undefined,
        { timeout: slow * 2 },
      );
      expect(await page.getByTestId('outcome').textContent()).toMatch(/Run completed/);
      expect(await page.getByTestId('outcome').getByTestId('best-by').textContent()).toBe('highest val_accuracy');

      const [runId] = await readdir(join(dataDir, 'runs'));
      const run = JSON.parse(await readFile(join(dataDir, 'runs', runId!, 'run.json'), 'utf8')) as {
        training: { monitor: string };
        model: { classes: number };
        dataset: { classNames: string[]; excludedClasses: { name: string; reason: string }[] };
        best: { epoch: number; val_acc: number };
      };
      expect(run.training.monitor).toBe('val_accuracy');
      expect(run.model.classes).toBe(2);
      expect(run.dataset.classNames).toEqual(['blue', 'red']);
      expect(run.dataset.excludedClasses).toEqual([{ name: 'empty_class', reason: 'no image files' }]);
      // The best epoch is the one with the highest val_acc (ties: lower val_loss, then earlier).
      const epochs = (await readFile(join(dataDir, 'runs', runId!, 'metrics.jsonl'), 'utf8'))
        .split('\n')
        .filter(Boolean)
        .map((line) => JSON.parse(line) as { type: string; epoch: number; val_acc: number })
        .filter((line) => line.type === 'epoch');
      expect(run.best.val_acc).toBe(Math.max(...epochs.map((e) => e.val_acc)));
      expect(await page.getByTestId('best-epoch').textContent()).toBe(String(run.best.epoch + 1));

      await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Runs & Compare' }).click();
      const cell = page.getByTestId('best-by').first();
      await cell.waitFor({ timeout: slow });
      expect(await cell.textContent()).toBe(`epoch ${run.best.epoch + 1}, highest val_accuracy`);
      expect(await page.getByRole('columnheader', { name: /val_acc at best epoch/ }).count()).toBe(1);
      expect(pageErrors).toEqual([]);
    },
    slow * 3,
  );
});
