/**
 * End to end: the real `xlab serve` (server + engine worker) driven by Debian's Chromium.
 *
 * Needs `npm run build` first (out/cli.js and out/renderer/); it never builds by itself.
 * Screenshots go to test-results/e2e/.
 */
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { callLab as callLabAt, expectNoSeriousAxeViolations, LabSession, resultsDir } from './harness';

/** The engine loads tfjs in a worker; on a slow machine that takes a while. */
const engineTimeout = 120_000;

const session = new LabSession();
let page: Page;
let url: URL;
let pageErrors: string[] = [];

/** Opens a WebSocket and resolves with the HTTP status of a refused upgrade, or 101 when accepted. */
function upgradeStatus(socketUrl: string, headers: Record<string, string> = {}): Promise<number> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(socketUrl, { headers });
    ws.once('open', () => {
      ws.close();
      resolve(101);
    });
    ws.once('unexpected-response', (_req, res) => {
      resolve(res.statusCode ?? 0);
      res.resume();
      ws.terminate();
    });
    ws.once('error', (error) => reject(error));
  });
}

const callLab = (method: string, args: unknown[] = []): Promise<unknown> => callLabAt(url, method, args);
const runAxe = (label: string): Promise<void> => expectNoSeriousAxeViolations(page, label);

const themeOf = (): Promise<{ shown: string | undefined; setting: string | undefined }> =>
  page.evaluate(() => ({
    shown: document.documentElement.dataset.theme,
    setting: document.documentElement.dataset.themeSetting,
  }));

async function waitForEngine(): Promise<string> {
  const badge = page.getByTestId('engine-badge');
  await page.waitForFunction(
    () => document.querySelector('[data-testid="engine-badge"]')?.getAttribute('data-state') !== 'loading',
    undefined,
    { timeout: engineTimeout },
  );
  return (await badge.textContent()) ?? '';
}

describe('browser mode shell (xlab serve + Chromium)', () => {
  beforeAll(async () => {
    ({ url, page, pageErrors } = await session.open('xlab-e2e-', { width: 1280, height: 800 }));
  }, 90_000);

  afterAll(() => session.close(), 30_000);

  it('refuses HTTP requests without the token (401)', async () => {
    const bare = new URL(url.pathname, url.origin);
    const refused = await fetch(bare);
    expect(refused.status).toBe(401);
    expect(await refused.text()).toMatch(/token/i);
    expect((await fetch(new URL('/?token=wrong', url.origin))).status).toBe(401);
    expect((await fetch(url)).status).toBe(200);
  });

  it('refuses a WebSocket without the token, accepts one with it', async () => {
    const socketBase = `ws://${url.host}/ws`;
    expect(await upgradeStatus(socketBase)).toBe(401);
    expect(await upgradeStatus(`${socketBase}?token=wrong`)).toBe(401);
    expect(await upgradeStatus(`${socketBase}?token=${url.searchParams.get('token')}`)).toBe(101);
  });

  it('renders the shell: nav with the five pages, main, status bar', async () => {
    await page.goto(url.href);
    const nav = page.getByRole('navigation', { name: 'Main' });
    await nav.waitFor();
    const links = nav.getByRole('link');
    expect(await links.allTextContents()).toEqual(['Datasets', 'Model', 'Train', 'Runs & Compare', 'Report']);
    expect(await page.getByRole('main').count()).toBe(1);
    expect(await page.getByRole('contentinfo').count()).toBe(1);
    expect(await nav.getByRole('link', { name: 'Datasets' }).getAttribute('aria-current')).toBe('page');

    await nav.getByRole('link', { name: 'Model' }).click();
    await page.getByRole('heading', { level: 1, name: 'Model' }).waitFor();
    expect(await nav.getByRole('link', { name: 'Model' }).getAttribute('aria-current')).toBe('page');
    expect(await nav.getByRole('link', { name: 'Datasets' }).getAttribute('aria-current')).toBeNull();
    expect(await page.getByRole('main').textContent()).toMatch(/Pick a dataset first/);
    expect(new URL(page.url()).hash).toBe('#/model');
    // The token left the address bar (and so the history) once the page had loaded.
    expect(new URL(page.url()).searchParams.has('token')).toBe(false);
  });

  it(
    'names the JS engine in the status bar once the worker has loaded it',
    async () => {
      const text = await waitForEngine();
      expect(text).toMatch(/Engine: tfjs · CPU/);
      expect(await page.getByTestId('engine-badge').getAttribute('title')).toBeTruthy();
      expect(await page.getByTestId('connection').textContent()).toMatch(/Connected/);
      expect(await page.getByTestId('app-version').textContent()).toMatch(/^v\d+\.\d+\.\d+/);
    },
    engineTimeout + 5_000,
  );

  it('lists the bundled Fashion-MNIST mini sample with its classes', async () => {
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Datasets' }).click();
    const card = page.getByRole('article', { name: 'Fashion-MNIST mini' });
    await card.waitFor({ timeout: 10_000 });
    const rows = card.getByRole('table').locator('tbody tr');
    expect(await rows.count()).toBeGreaterThanOrEqual(2);
    expect(await card.textContent()).toMatch(/MIT/);
  });

  it('has no serious or critical accessibility violations in the light theme', async () => {
    expect((await themeOf()).shown).toBe('light');
    await page.screenshot({ path: join(resultsDir, 'shell.png') });
    await runAxe('light theme, Datasets page');
  });

  it('toggles the theme, persists it through the server, and keeps it after a reload', async () => {
    const toggle = page.getByTestId('theme-toggle');
    // Named by what it shows; what a click does is its description.
    expect(await page.getByRole('button', { name: 'Theme: System', exact: true }).count()).toBe(1);
    // system → light → dark
    for (let i = 0; i < 3 && (await themeOf()).setting !== 'dark'; i++) await toggle.click();
    expect(await themeOf()).toEqual({ shown: 'dark', setting: 'dark' });
    // Saved through the server: another client sees it, and a reload (no client-side storage) gets it back.
    await expect
      .poll(async () => ((await callLab('getSettings')) as { theme: string }).theme, { timeout: 5_000 })
      .toBe('dark');
    await page.reload();
    await page.waitForFunction(() => document.documentElement.dataset.themeSetting === 'dark', undefined, {
      timeout: 10_000,
    });
    expect((await themeOf()).shown).toBe('dark');
  });

  it(
    'has no serious or critical accessibility violations in the dark theme',
    async () => {
      await page.getByRole('article', { name: 'Fashion-MNIST mini' }).waitFor({ timeout: 10_000 });
      await waitForEngine();
      await page.screenshot({ path: join(resultsDir, 'shell-dark.png') });
      await runAxe('dark theme, Datasets page');
      await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Train' }).click();
      await page.getByRole('heading', { level: 1, name: 'Train' }).waitFor();
      await runAxe('dark theme, Train page');
    },
    engineTimeout + 10_000,
  );

  it('logged no page errors (CSP violations, exceptions)', () => {
    expect(pageErrors).toEqual([]);
  });
});
