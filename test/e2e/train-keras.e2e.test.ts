/**
 * End to end: the Train page's Engine select against the real `xlab serve` in Chromium. With
 * XLAB_TEST_PYTHON (a Python with TensorFlow ≥ 2.16, Keras 3 and Pillow) given to the server as
 * XLAB_PYTHON, Keras is offered with its TensorFlow version, and a 1-epoch micro run on the
 * bundled sample trains with it from the UI and completes as engine "keras". Without it the
 * server gets a Python that does not exist: Keras is disabled and the note says what to install.
 * Needs `npm run build` first; screenshots go to test-results/e2e/.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunListEntry } from '../../main/contract';
import { callLab, expectNoSeriousAxeViolations, LabSession, screenshotWholePage } from './harness';

const testPython = process.env.XLAB_TEST_PYTHON;
/** Importing TensorFlow in the probe takes seconds, more on a loaded machine. */
const probeTimeout = 180_000;
/** A Keras subprocess: TensorFlow's import, then one tiny epoch, on a shared machine. */
const runTimeout = 600_000;

const session = new LabSession();
let page: Page;
let url: URL;

describe('Train page: the Keras engine (xlab serve + Chromium)', () => {
  beforeAll(async () => {
    ({ url, page } = await session.open('xlab-e2e-keras-', { width: 1280, height: 900 }, undefined, {
      XLAB_PYTHON: testPython ?? '/nonexistent/xlab-e2e/python',
    }));
    await page.goto(new URL('#/train', url).href);
    await page.getByTestId('train-form').waitFor({ timeout: 120_000 });
  }, 180_000);

  afterAll(() => session.close(), 60_000);

  it(
    testPython ? 'offers Keras with its TensorFlow version' : 'disables Keras and says what to install',
    async () => {
      const select = page.getByTestId('train-form').getByLabel('Engine', { exact: true });
      expect(await select.locator('option:checked').textContent()).toMatch(/^Built-in \(/);
      const keras = select.locator('option[value="keras"]');
      await page.waitForFunction(
        () => !/checking/.test(document.querySelector('option[value="keras"]')?.textContent ?? 'checking'),
        undefined,
        { timeout: probeTimeout },
      );
      const hint = await page.getByTestId('train-engine-hint').textContent();
      if (testPython) {
        expect(await keras.textContent()).toMatch(/^Keras \(TensorFlow 2\.\d+\.\d+, \S+\)$/);
        expect(await keras.isDisabled()).toBe(false);
      } else {
        expect(await keras.isDisabled()).toBe(true);
        expect(hint).toMatch(/Keras is not available: .*cannot be run.*npx xlab engine setup-keras/s);
      }
      await screenshotWholePage(page, testPython ? 'train-keras.png' : 'train-keras-missing.png');
      await expectNoSeriousAxeViolations(page, 'Train page with the Engine select');
    },
    probeTimeout + 10_000,
  );

  it(
    'trains the micro preset for 1 epoch with Keras from the UI',
    async (context) => {
      if (!testPython) context.skip('no XLAB_TEST_PYTHON (a Python with TensorFlow and Keras): Keras run not tried');
      const form = page.getByTestId('train-form');
      await form.getByLabel('Bundled sample').check();
      await form.getByLabel('Sample dataset').selectOption({ label: 'Fashion-MNIST mini' });
      await page.getByTestId('train-preset-micro').getByRole('radio').check();
      await form.getByLabel('Epochs').fill('1');
      await form.getByLabel('Run name').fill('keras from the UI');
      await form.getByLabel('Engine', { exact: true }).selectOption('keras');
      await page.getByTestId('train-button').click();
      const live = page.getByTestId('live-view');
      await live.waitFor({ timeout: 60_000 });
      await page.waitForFunction(
        () => {
          const status = document.querySelector('[data-testid="live-view"]')?.getAttribute('data-status');
          return status != null && status !== 'running';
        },
        undefined,
        { timeout: runTimeout },
      );
      expect(await live.getAttribute('data-status')).toBe('completed');
      const runs = (await callLab(url, 'listRuns')) as RunListEntry[];
      const run = runs
        .flatMap((entry) => ('run' in entry ? [entry.run] : []))
        .find((r) => r.name === 'keras from the UI');
      expect(run?.status).toBe('completed');
      expect(run?.engine?.name).toBe('keras');
    },
    runTimeout + 60_000,
  );
});
