/**
 * End to end: the shell's layout on every page against the real `xlab serve` (pure-JS engine) in
 * Debian's Chromium, at 1400×900 and at 800 px wide — the document is never taller or wider than
 * the window (only <main> scrolls, and only up and down), with every page showing its fullest
 * state: a dataset's report, the model's summary, two runs compared with one's evaluation, the
 * report's preview. Two one-epoch micro runs on the bundled sample are trained over the contract.
 *
 * Needs `npm run build` first; screenshots go to test-results/e2e/.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunDetails, RunInfo, SampleDataset } from '../../main/contract';
import { callLab as callLabAt, LabSession, screenshotWholePage } from './harness';

/** Two one-epoch micro runs on a machine shared with other work. */
const trainTimeout = 120_000;
const names = ['layout run a', 'layout run b'] as const;
const windows = [
  { width: 1400, height: 900 },
  { width: 800, height: 700 },
] as const;

const session = new LabSession();
let page: Page;
let url: URL;
let pageErrors: string[] = [];
let sample: SampleDataset;

const callLab = (method: string, args: unknown[] = []): Promise<unknown> => callLabAt(url, method, args);

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

/** How far the document and <main> reach beyond what the window shows. */
interface Overflow {
  documentHeight: number;
  documentWidth: number;
  windowHeight: number;
  windowWidth: number;
  /** <main> scrolls up and down; sideways it must not. */
  mainSideways: number;
}

const overflowOf = (): Promise<Overflow> =>
  page.evaluate(() => {
    const doc = document.scrollingElement ?? document.documentElement;
    const main = document.querySelector('main')!;
    return {
      documentHeight: doc.scrollHeight,
      documentWidth: doc.scrollWidth,
      windowHeight: window.innerHeight,
      windowWidth: window.innerWidth,
      mainSideways: main.scrollWidth - main.clientWidth,
    };
  });

/** Each page in its fullest state; resolves once it is drawn. */
const pages: { id: string; heading: string; ready: () => Promise<void> }[] = [
  {
    id: 'datasets',
    heading: 'Datasets',
    ready: async () => {
      await page.getByTestId('health-report').waitFor({ timeout: 20_000 });
    },
  },
  {
    id: 'model',
    heading: 'Model',
    ready: async () => {
      await page.getByTestId('summary-table').waitFor({ timeout: 20_000 });
    },
  },
  {
    id: 'train',
    heading: 'Train',
    ready: async () => {
      await page.getByTestId('train-form').waitFor({ timeout: 20_000 });
    },
  },
  {
    id: 'runs',
    heading: 'Runs & Compare',
    ready: async () => {
      await expect.poll(() => page.getByTestId('compare-row').count(), { timeout: 15_000 }).toBe(2);
      await page.getByTestId('evaluation-result').waitFor({ timeout: 30_000 });
    },
  },
  {
    id: 'report',
    heading: 'Report',
    ready: async () => {
      await page.frameLocator('[data-testid="report-preview"]').locator('h1').first().waitFor({ timeout: 20_000 });
    },
  },
];

async function visit(id: string, heading: string): Promise<void> {
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: heading, exact: true }).click();
  await page.getByRole('heading', { level: 1, name: heading }).waitFor();
  expect(new URL(page.url()).hash).toBe(`#/${id}`);
}

describe('layout: the window holds the whole app on every page (xlab serve + Chromium)', () => {
  beforeAll(async () => {
    ({ url, page, pageErrors } = await session.open('xlab-e2e-layout-', windows[0]));
    const samples = (await callLab('listSamples')) as SampleDataset[];
    sample = samples.find((s) => s.id === 'fashion-mini') ?? samples[0]!;
    for (const [i, name] of names.entries()) {
      const run = await train(name, i === 0 ? 0.001 : 0.003);
      expect(run.status, `${name}: ${run.error?.message ?? ''}`).toBe('completed');
    }
  }, trainTimeout + 30_000);

  afterAll(() => session.close(), 30_000);

  it('fills every page: a dataset opened, two runs compared, one evaluated', async () => {
    await page.goto(new URL('#/datasets', url).href);
    await page.getByTestId('open-sample-fashion-mini').click();
    await page.getByTestId('health-report').waitFor({ timeout: 30_000 });

    await visit('runs', 'Runs & Compare');
    for (const name of names) {
      await page
        .getByTestId('run-row')
        .filter({ hasText: name })
        .getByRole('checkbox', { name: `Compare ${name}` })
        .check();
    }
    await page.getByTestId('run-row').filter({ hasText: names[0] }).getByTestId('run-name').click();
    await page.getByTestId('evaluation-result').waitFor({ timeout: 30_000 });
  }, 60_000);

  for (const size of windows) {
    it(`at ${size.width}×${size.height}: the document fits the window and <main> never scrolls sideways`, async () => {
      await page.setViewportSize(size);
      const found: string[] = [];
      for (const { id, heading, ready } of pages) {
        await visit(id, heading);
        await ready();
        // Scroll <main> to its end: whatever is laid out down there is laid out now.
        await page.evaluate(() => document.querySelector('main')!.scrollTo(0, 1e6));
        const o = await overflowOf();
        if (o.documentHeight > o.windowHeight)
          found.push(`${id}: the document is ${o.documentHeight} px tall in a ${o.windowHeight} px window`);
        if (o.documentWidth > o.windowWidth)
          found.push(`${id}: the document is ${o.documentWidth} px wide in a ${o.windowWidth} px window`);
        if (o.mainSideways > 0) found.push(`${id}: <main> scrolls ${o.mainSideways} px sideways`);
        await page.evaluate(() => document.querySelector('main')!.scrollTo(0, 0));
      }
      expect(found).toEqual([]);
    }, 120_000);
  }

  it('keeps the compare table inside the page: its own scroll at 800 px, every column with room to spare at 1400 px', async () => {
    await visit('runs', 'Runs & Compare');
    const frame = page.getByTestId('compare-table').locator('xpath=..');
    /** The frame's width, and the narrowest the table can be with these runs' values. */
    const widths = (): Promise<{ frame: number; table: number; sideways: number }> =>
      frame.evaluate((el) => {
        const table = el.querySelector('table')!;
        table.style.width = 'min-content';
        const narrowest = table.getBoundingClientRect().width;
        table.style.width = '';
        return { frame: el.clientWidth, table: Math.ceil(narrowest), sideways: el.scrollWidth - el.clientWidth };
      });
    await page.setViewportSize(windows[0]);
    const wide = await widths();
    expect(wide.sideways, 'the compare table needs a horizontal scroll at 1400 px').toBe(0);
    // These one-epoch runs have the shortest values there are ("5 s"); real ones say "2 min 24 s".
    expect(
      wide.frame - wide.table,
      `at 1400 px the table (${wide.table} px at its narrowest) has no room to grow in its ${wide.frame} px frame`,
    ).toBeGreaterThanOrEqual(100);
    await screenshotWholePage(page, 'layout-compare-1400.png');

    await page.setViewportSize(windows[1]);
    const narrow = await widths();
    expect(narrow.sideways, 'at 800 px the table scrolls in its own frame').toBeGreaterThan(0);
    // The charts follow a resize a frame or more later (chart.js listens with a ResizeObserver).
    await expect
      .poll(
        () =>
          page.evaluate(
            () => document.querySelector('main')!.scrollWidth - document.querySelector('main')!.clientWidth,
          ),
        { message: '<main> scrolls sideways at 800 px' },
      )
      .toBe(0);
    await screenshotWholePage(page, 'layout-compare-800.png');
    await page.setViewportSize(windows[0]);
  });

  it('keeps each Train preset card’s text inside its card (a weights file name is one long word)', async () => {
    const found: string[] = [];
    for (const size of windows) {
      await page.setViewportSize(size);
      await visit('train', 'Train');
      await page.getByTestId('train-preset-xception-imagenet').waitFor({ timeout: 20_000 });
      const outside = await page.evaluate(() =>
        [...document.querySelectorAll<HTMLElement>('[data-testid^="train-preset-"]')].flatMap((card) => {
          const right = card.getBoundingClientRect().right;
          const spill = Math.max(
            card.scrollWidth - card.clientWidth,
            ...[...card.querySelectorAll('*')].map((el) => el.getBoundingClientRect().right - right),
          );
          return spill > 0.5 ? [`${card.dataset.testid}: ${Math.round(spill)} px past its right edge`] : [];
        }),
      );
      found.push(...outside.map((line) => `at ${size.width} px, ${line}`));
    }
    await page.setViewportSize(windows[0]);
    expect(found).toEqual([]);
  }, 60_000);

  it('logged no page errors (CSP violations, exceptions)', () => {
    expect(pageErrors).toEqual([]);
  });
});
