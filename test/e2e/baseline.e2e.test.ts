/**
 * End to end: baselines against the real `xlab serve` (pure-JS engine) in Debian's Chromium.
 * A short micro run is pinned as "best result" from its details on Runs & Compare; a second run
 * started over the contract shows the baseline's curves and "ahead/behind by N points at epoch k"
 * in the live Train view; Compare gets Δ Loss / Δ Val_ACC columns with arrow and sign; the
 * report preview gets "Against the baseline"; deleting the baseline run unpins it with a notice.
 *
 * Needs `npm run build` first; screenshots go to test-results/e2e/.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BaselineList, RunDetails, RunInfo, SampleDataset } from '../../main/contract';
import { callLab as callLabAt, expectNoSeriousAxeViolations, LabSession, screenshotWholePage } from './harness';

const trainTimeout = 120_000;

const session = new LabSession();
let page: Page;
let url: URL;
let pageErrors: string[] = [];
let sample: SampleDataset;
let baselineRun: RunInfo;
let newRun: RunInfo;

const callLab = (method: string, args: unknown[] = []): Promise<unknown> => callLabAt(url, method, args);

function startRun(name: string, epochs: number, learningRate: number): Promise<RunInfo> {
  return callLab('startTraining', [
    {
      dataset: sample.path,
      model: { preset: 'micro', inputSize: 24 },
      training: { epochs, batchSize: 32, learningRate, seed: 7 },
      name,
    },
  ]) as Promise<RunInfo>;
}

async function waitForEnd(run: RunInfo, timeout: number): Promise<RunInfo> {
  const deadline = Date.now() + timeout;
  while (run.status === 'running') {
    if (Date.now() > deadline) throw new Error(`${run.name} was still training after ${timeout / 1000} s`);
    await new Promise((resolve) => setTimeout(resolve, 250));
    run = ((await callLab('getRun', [run.id])) as RunDetails).run;
  }
  return run;
}

const row = (name: string) =>
  page.getByTestId('run-row').filter({ has: page.getByTestId('run-name').getByText(name, { exact: true }) });

describe('Baselines (xlab serve + Chromium)', () => {
  beforeAll(async () => {
    ({ url, page, pageErrors } = await session.open('xlab-e2e-baseline-', { width: 1280, height: 900 }));
    const samples = (await callLab('listSamples')) as SampleDataset[];
    sample = samples.find((s) => s.id === 'fashion-mini') ?? samples[0]!;
    baselineRun = await waitForEnd(await startRun('old best', 2, 0.003), trainTimeout / 2);
    expect(baselineRun.status, baselineRun.error?.message).toBe('completed');
  }, trainTimeout);

  afterAll(() => session.close(), 30_000);

  it('pins a run as a baseline from its details', async () => {
    await page.goto(new URL('#/runs', url).href);
    await page.getByRole('heading', { level: 1, name: 'Runs & Compare' }).waitFor();
    await row('old best').getByTestId('run-name').click();
    const pin = page.getByTestId('run-details').getByTestId('baseline-pin');
    await pin.waitFor();
    await pin.getByTestId('baseline-label-input').fill('best result');
    await pin.getByTestId('baseline-pin-button').click();
    await expect
      .poll(
        () =>
          pin
            .getByTestId('baseline-label')
            .textContent()
            .catch(() => null),
        { timeout: 10_000 },
      )
      .toBe('“best result”');
    const listed = (await callLab('listBaselines')) as BaselineList;
    expect(listed.baselines.map((b) => [b.runId, b.label])).toEqual([[baselineRun.id, 'best result']]);
  });

  it(
    'the live view draws the baseline and says ahead/behind by N points at epoch k',
    async () => {
      newRun = await startRun('challenger', 6, 0.001);
      await page.goto(new URL('#/train', url).href);
      const live = page.getByTestId('live-view');
      await live.waitFor({ timeout: 20_000 });
      expect(await live.getAttribute('data-run-id')).toBe(newRun.id);
      const standing = live.getByTestId('live-standing');
      await expect
        .poll(() => standing.textContent().catch(() => ''), { timeout: trainTimeout / 2 })
        .toMatch(
          /(ahead of|behind|level with) "best result"( by \d+\.\d points?)? at epoch [12] \(validation accuracy\)/,
        );
      expect(await live.getByTestId('live-baseline-picker').inputValue()).toBe(baselineRun.id);
      const accuracy = live.getByTestId('chart-accuracy');
      await expect
        .poll(() => accuracy.getByRole('img').getAttribute('aria-label'))
        .toContain('baseline “best result” · val acc');
      await screenshotWholePage(page, 'baseline-live.png');
      newRun = await waitForEnd(newRun, trainTimeout / 2);
      expect(newRun.status, newRun.error?.message).toBe('completed');
    },
    trainTimeout,
  );

  it('Compare shows Δ Loss and Δ Val_ACC against the baseline, with arrow and sign', async () => {
    await page.goto(new URL('#/runs', url).href);
    await page.getByRole('heading', { level: 1, name: 'Runs & Compare' }).waitFor();
    for (const name of ['old best', 'challenger']) {
      const box = row(name).getByRole('checkbox', { name: `Compare ${name}` });
      if (!(await box.isChecked())) await box.check();
    }
    const table = page.getByTestId('compare-table');
    await expect.poll(() => table.getByTestId('compare-row').count(), { timeout: 10_000 }).toBe(2);
    expect(await page.getByTestId('compare-baseline').inputValue()).toBe(baselineRun.id);
    await expect
      .poll(() =>
        table
          .locator('thead th')
          .allTextContents()
          .then((h) => h.map((t) => t.trim()).slice(-2)),
      )
      .toEqual(['Δ Loss', 'Δ Val_ACC']);
    const challenger = table.locator(`[data-run-id="${newRun.id}"]`);
    const loss = challenger.locator('[data-metric="delta-loss"]');
    expect(await loss.textContent()).toMatch(/^\s*(▲ \+|▼ −|= )\d\.\d{4}/);
    expect(await loss.getAttribute('data-verdict')).toMatch(/^(better|worse|same)$/);
    expect(await challenger.locator('[data-metric="delta-val_acc"]').textContent()).toMatch(/(▲ \+|▼ −|= )\d\.\d{4}/);
    expect(await table.locator(`[data-run-id="${baselineRun.id}"]`).getByTestId('delta-baseline').textContent()).toBe(
      'the baseline',
    );
    await screenshotWholePage(page, 'baseline-compare.png');
    await expectNoSeriousAxeViolations(page, 'Runs & Compare with a baseline');

    // Choosing none removes the columns.
    await page.getByTestId('compare-baseline').selectOption('');
    await expect
      .poll(() =>
        table
          .locator('thead th')
          .allTextContents()
          .then((h) => h.some((t) => t.includes('Δ'))),
      )
      .toBe(false);
    await page.getByTestId('compare-baseline').selectOption(baselineRun.id);
  });

  it('the report gets an "Against the baseline" section', async () => {
    await page.getByRole('button', { name: 'Report on these…' }).click();
    await page.getByRole('heading', { level: 1, name: 'Report' }).waitFor();
    expect(await page.getByTestId('report-baseline').inputValue()).toBe(baselineRun.id);
    const frame = page.frameLocator('[data-testid="report-preview"]');
    await expect
      .poll(
        () =>
          frame
            .locator('#baseline h2')
            .textContent()
            .catch(() => null),
        { timeout: 20_000 },
      )
      .toBe('Against the baseline');
    expect(await frame.locator('#baseline').textContent()).toContain('best result');
    expect(await frame.locator('#baseline-table tbody tr').count()).toBe(2);
  });

  it('deleting the baseline run unpins it with a notice, and Compare still works', async () => {
    await callLab('deleteRun', [baselineRun.id]);
    // Through the app's own navigation: the page (and what it was told) stays.
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Runs & Compare' }).click();
    await page.getByRole('heading', { level: 1, name: 'Runs & Compare' }).waitFor();
    await expect
      .poll(
        () =>
          page
            .getByTestId('baseline-notices')
            .textContent()
            .catch(() => ''),
        { timeout: 10_000 },
      )
      .toContain('Baseline "best result" was unpinned');
    expect(((await callLab('listBaselines')) as BaselineList).baselines).toEqual([]);
    const table = page.getByTestId('compare-table');
    await expect.poll(() => table.getByTestId('compare-row').count(), { timeout: 10_000 }).toBe(1);
    expect(
      await table
        .locator('thead th')
        .allTextContents()
        .then((h) => h.some((t) => t.includes('Δ'))),
    ).toBe(false);
    expect(pageErrors).toEqual([]);
  });
});
