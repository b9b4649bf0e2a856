/**
 * End to end: the Model page against the real `xlab serve` (server + engine worker) in Debian's
 * Chromium — presets, field validation next to the field, the summary and cost computed by the
 * engine, named configs (save, replace prompt, load, compare, delete), axe in both themes.
 *
 * Needs `npm run build` first (out/cli.js and out/renderer/); it never builds by itself.
 * Screenshots go to test-results/e2e/.
 */
import { join } from 'node:path';
import type { Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  callLab as callLabAt,
  expectNoSeriousAxeViolations,
  LabSession,
  resultsDir,
  chooseTheme,
  screenshotWholePage,
} from './harness';

/** The engine loads tfjs in a worker before it can build a model; on a slow machine that takes a while. */
const engineTimeout = 120_000;

interface DescribeResult {
  ok: boolean;
  model?: { summary: { totals: { params: number } }; cost: { flopsPerImage: number } };
}

const session = new LabSession();
let page: Page;
let url: URL;
let pageErrors: string[] = [];

const callLab = (method: string, args: unknown[] = []): Promise<unknown> => callLabAt(url, method, args);
const runAxe = (label: string): Promise<void> => expectNoSeriousAxeViolations(page, label);

const main = (): Locator => page.getByRole('main');
/** The text input labelled `label` (exact), e.g. "Classes". */
const field = (label: string): Locator => main().getByLabel(label, { exact: true });
const numberIn = async (testId: string): Promise<number> =>
  Number(await main().getByTestId(testId).getAttribute('data-value'));

/** The messages an input points to with aria-describedby. */
async function describedText(input: Locator): Promise<string> {
  const ids = (await input.getAttribute('aria-describedby'))?.split(/\s+/).filter(Boolean) ?? [];
  const texts = await Promise.all(ids.map((id) => page.locator(`[id="${id}"]`).textContent()));
  return texts.join(' ');
}

const screenshotPage = (file: string): Promise<void> => screenshotWholePage(page, file);

async function totalParamsShown(): Promise<number> {
  return numberIn('total-params');
}

describe('Model page (xlab serve + Chromium)', () => {
  beforeAll(async () => {
    ({ url, page, pageErrors } = await session.open('xlab-e2e-model-', { width: 1280, height: 900 }));
  }, 90_000);

  afterAll(() => session.close(), 30_000);

  it(
    'picks the micro preset and shows the total params the engine computes for it',
    async () => {
      await page.goto(`${url.href}#/model`);
      await main().getByRole('heading', { level: 1, name: 'Model' }).waitFor();
      const micro = main().getByRole('radio', { name: 'Micro (tests and demos)' });
      await micro.waitFor({ timeout: 10_000 });
      // It opens on what the Train page starts with (not Xception at 299 px for 20 epochs).
      expect(await micro.isChecked()).toBe(true);
      expect(await field('Epochs').inputValue()).toBe('5');
      await micro.check();
      expect(await field('Input size (px)').inputValue()).toBe('24');

      const expected = (await callLab('describeModel', [{ preset: 'micro' }, 32])) as DescribeResult;
      const params = expected.model?.summary.totals.params ?? NaN;
      expect(params).toBeGreaterThan(1000);
      await expect.poll(totalParamsShown, { timeout: engineTimeout }).toBe(params);
      expect(await main().getByTestId('total-params').textContent()).toContain(params.toLocaleString('en-US'));
      // The Keras-style totals under the summary table agree.
      expect(await main().getByTestId('summary-total').textContent()).toContain(params.toLocaleString('en-US'));
      expect(await main().getByTestId('summary-table').locator('tbody tr').count()).toBeGreaterThan(30);
    },
    engineTimeout + 10_000,
  );

  it('puts the error next to Classes, keeps the last valid model, and clears it when fixed', async () => {
    const shownBefore = await totalParamsShown();
    const classes = field('Classes');
    await classes.fill('1');
    await expect.poll(() => classes.getAttribute('aria-invalid'), { timeout: 5_000 }).toBe('true');
    expect(await describedText(classes)).toMatch(/classes is 1; it must be a whole number from 2/);
    // The error is inside the Classes field's own box, not somewhere else on the page.
    expect(await main().locator('[data-field="classes"]').getByTestId('error-classes').isVisible()).toBe(true);
    expect(
      await main()
        .getByText(/showing the last valid model/i)
        .first()
        .isVisible(),
    ).toBe(true);
    expect(await totalParamsShown()).toBe(shownBefore);
    await main().locator('[data-field="classes"]').scrollIntoViewIfNeeded();
    await page.screenshot({ path: join(resultsDir, 'model-invalid.png') });

    await classes.fill('10');
    await expect.poll(() => classes.getAttribute('aria-invalid'), { timeout: 5_000 }).toBeNull();
    expect(await main().getByTestId('error-classes').count()).toBe(0);
    await expect
      .poll(() =>
        main()
          .getByText(/showing the last valid model/i)
          .count(),
      )
      .toBe(0);
  });

  it('offers fine-tuning once flows are frozen, and puts its error under its first field', async () => {
    expect(await field('Fine-tune after (epochs)').count()).toBe(0);
    await field('Start from weights').fill('/nowhere/xception_notop.h5');
    await field('Freeze flows').fill('entry, middle');
    const after = field('Fine-tune after (epochs)');
    await after.waitFor({ timeout: 5_000 });
    await after.fill('2');
    await field('Then unfreeze flows').fill('exit');
    await field('Fine-tuning learning rate').fill('0.00001');
    await expect.poll(() => after.getAttribute('aria-invalid'), { timeout: 5_000 }).toBe('true');
    expect(await describedText(after)).toContain('fineTune.unfreeze lists "exit", which is not frozen');
    await field('Then unfreeze flows').fill('middle');
    await expect.poll(() => after.getAttribute('aria-invalid'), { timeout: 5_000 }).toBeNull();
    await field('Start from weights').fill('');
    expect(await field('Fine-tune after (epochs)').count()).toBe(0);
  });

  it('shows more FLOPs per image at 64 px than at 32 px', async () => {
    const size = field('Input size (px)');
    await size.fill('32');
    const at32 = ((await callLab('describeModel', [{ preset: 'micro', inputSize: 32 }, 32])) as DescribeResult).model
      ?.cost.flopsPerImage;
    expect(at32).toBeGreaterThan(0);
    await expect.poll(() => numberIn('flops'), { timeout: 5_000 }).toBe(at32);
    const activations32 = await numberIn('activation-memory');

    await size.fill('64');
    await expect.poll(() => numberIn('flops'), { timeout: 5_000 }).toBeGreaterThan(at32 ?? Infinity);
    expect(await numberIn('activation-memory')).toBeGreaterThan(activations32);
    expect(await main().getByTestId('flops').textContent()).toMatch(/\d (k|M|G)FLOPs/);
  });

  it('expands a flow block to its layers, shows the middle flow once with its repeat count, filters the summary', async () => {
    const block2 = main().getByTestId('block-block2');
    expect(await block2.getAttribute('aria-expanded')).toBe('false');
    await block2.click();
    expect(await block2.getAttribute('aria-expanded')).toBe('true');
    const panel = page.locator(`[id="${await block2.getAttribute('aria-controls')}"]`);
    expect(await panel.textContent()).toMatch(/block2_sepconv1[\s\S]*\(None, \d+, \d+, \d+\)/);

    expect(await main().getByTestId('middle-repeats').textContent()).toBe('× 1');
    await field('Middle repeats').fill('3');
    await expect.poll(() => main().getByTestId('middle-repeats').textContent(), { timeout: 5_000 }).toBe('× 3');
    expect(await main().getByTestId('block-block5').textContent()).toMatch(/block5–block7/);

    const filter = main().getByLabel('Filter layers');
    await filter.fill('block5');
    await expect.poll(() => main().getByTestId('summary-table').locator('tbody tr').count()).toBeLessThan(15);
    expect(await main().getByTestId('summary-count').textContent()).toMatch(/of \d+ layers/);
    await filter.fill('');
    await field('Middle repeats').fill('1');
  });

  it('saves a named config, asks before replacing it, loads it back and compares two configs', async () => {
    const name = main().getByLabel('Name', { exact: true });
    const save = main().getByRole('button', { name: 'Save', exact: true });
    const notice = main().getByTestId('config-notice');

    await name.fill('Micro 64');
    await save.click();
    await expect.poll(() => notice.textContent(), { timeout: 5_000 }).toBe('Saved “Micro 64”.');
    // The notice shows as soon as the save returns; the list is read again after it.
    await expect.poll(() => main().getByTestId('config-item').count(), { timeout: 5_000 }).toBe(1);

    // Same name again: the server answers CONFIG_EXISTS and the page asks first.
    await save.click();
    const prompt = main().getByTestId('replace-prompt');
    await prompt.waitFor({ timeout: 5_000 });
    expect(await prompt.textContent()).toMatch(/“Micro 64” already exists\. Replace it\?/);
    await prompt.getByRole('button', { name: 'Replace' }).click();
    await expect.poll(() => notice.textContent(), { timeout: 5_000 }).toBe('Replaced “Micro 64”.');
    expect(await prompt.count()).toBe(0);
    expect(await main().getByTestId('config-item').count()).toBe(1);

    // A second config that differs in classes only.
    await field('Classes').fill('5');
    await name.fill('Micro 5 classes');
    await expect.poll(() => field('Classes').getAttribute('aria-invalid')).toBeNull();
    await save.click();
    await expect.poll(() => main().getByTestId('config-item').count(), { timeout: 5_000 }).toBe(2);

    // Load the first: its fields come back.
    await main().getByRole('button', { name: 'Load “Micro 64”' }).click();
    expect(await field('Classes').inputValue()).toBe('10');
    expect(await field('Input size (px)').inputValue()).toBe('64');
    expect(await main().getByRole('radio', { name: 'Micro (tests and demos)' }).isChecked()).toBe(true);
    await expect.poll(() => notice.textContent()).toBe('Loaded “Micro 64”.');

    // Compare: only the difference is listed, in describeChange's words.
    await main().getByLabel('First').selectOption('Micro 64');
    await main().getByLabel('Second').selectOption('Micro 5 classes');
    expect(await main().getByTestId('differences').locator('li').allTextContents()).toEqual(['classes: 10 → 5']);
  });

  it('deletes a config after asking', async () => {
    await main().getByRole('button', { name: 'Delete “Micro 5 classes”' }).click();
    const confirm = main().getByRole('button', { name: 'Delete', exact: true });
    await confirm.click();
    await expect.poll(() => main().getByTestId('config-item').count(), { timeout: 5_000 }).toBe(1);
    expect(await main().getByTestId('config-notice').textContent()).toBe('Deleted “Micro 5 classes”.');
    const saved = (await callLab('listConfigs')) as { configs: { name: string }[] };
    expect(saved.configs.map((c) => c.name)).toEqual(['Micro 64']);
  });

  it('shows momentum only for SGD and checks training settings next to the field', async () => {
    expect(await field('Momentum').count()).toBe(0);
    await field('Optimizer').selectOption('sgd');
    await field('Momentum').waitFor();
    const rate = field('Learning rate');
    await rate.fill('-1');
    await expect.poll(() => rate.getAttribute('aria-invalid'), { timeout: 5_000 }).toBe('true');
    expect(await describedText(rate)).toMatch(/learningRate is -1/);
    await rate.fill('0.001');
    await field('Optimizer').selectOption('adam');
    await expect.poll(() => rate.getAttribute('aria-invalid'), { timeout: 5_000 }).toBeNull();
  });

  it('has no serious or critical accessibility violations in the light and dark themes', async () => {
    // An expanded block and a comparison on screen, so axe sees them too.
    await main().getByLabel('Second').selectOption({ label: 'Current form' });
    await screenshotPage('model.png');
    await runAxe('light theme, Model page');

    await chooseTheme(page, 'dark');
    await screenshotPage('model-dark.png');
    await runAxe('dark theme, Model page');
  });

  it('keeps the edits after visiting another page; a preset switch shows its values and can be undone', async () => {
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Datasets' }).click();
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Model' }).click();
    await main().getByRole('heading', { level: 1, name: 'Model' }).waitFor();
    expect(await field('Input size (px)').inputValue()).toBe('64');
    expect(await main().getByTestId('preset-state').textContent()).toMatch(
      /Changed from the Micro \(tests and demos\) preset: Input size \(px\)\./,
    );

    await main().getByRole('radio', { name: 'Mini (CPU)' }).check();
    expect(await field('Input size (px)').inputValue()).toBe('32');
    expect(await field('Width multiplier α').inputValue()).toBe('0.25');
    await main().getByTestId('preset-state').getByRole('button', { name: 'Undo' }).click();
    expect(await field('Input size (px)').inputValue()).toBe('64');
    expect(await main().getByRole('radio', { name: 'Micro (tests and demos)' }).isChecked()).toBe(true);
  });

  it('logged no page errors (CSP violations, exceptions)', () => {
    expect(pageErrors).toEqual([]);
  });
});
