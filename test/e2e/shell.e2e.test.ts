/**
 * End to end: the real `xlab serve` (server + engine worker) driven by Debian's Chromium.
 *
 * Needs `npm run build` first (out/cli.js and out/renderer/); it never builds by itself.
 * Screenshots go to test-results/e2e/.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const chromiumPath = '/usr/bin/chromium';
const resultsDir = join(root, 'test-results', 'e2e');
const require = createRequire(import.meta.url);
const axeSource = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

/** The engine loads tfjs in a worker; on a slow machine that takes a while. */
const engineTimeout = 25_000;

interface AxeResult {
  violations: { id: string; impact?: string | null; help: string; helpUrl: string; nodes: { target: unknown[]; failureSummary?: string }[] }[];
}

let server: ChildProcess | undefined;
let serverLog = '';
let context: BrowserContext | undefined;
let page: Page;
let url: URL;
const tmpDirs: string[] = [];
const pageErrors: string[] = [];

/** Starts `xlab serve` and resolves with the URL it prints once listening. */
function startServer(dataDir: string): Promise<URL> {
  return new Promise((resolve, reject) => {
    // XLAB_BACKEND=js: the badge must name the pure-JS engine even where tfjs-node is installed.
    const child = spawn(process.execPath, ['bin/xlab.js', 'serve', '--port', '0', '--no-open', '--data-dir', dataDir], {
      cwd: root,
      env: { ...process.env, XLAB_BACKEND: 'js' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    server = child;
    let stdout = '';
    const timer = setTimeout(() => fail(new Error('"xlab serve" printed no URL within 30 s')), 30_000);
    const fail = (error: Error): void => {
      clearTimeout(timer);
      reject(new Error(`${error.message}\n--- server output ---\n${serverLog}`));
    };
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
      serverLog += chunk;
      const match = /http:\/\/127\.0\.0\.1:\d+\/\?token=[0-9a-f]+/.exec(stdout);
      if (match) {
        clearTimeout(timer);
        resolve(new URL(match[0]));
      }
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      serverLog += chunk;
    });
    child.once('error', (error) => fail(error));
    child.once('exit', (code, signal) => fail(new Error(`"xlab serve" exited early (code ${code}, signal ${signal})`)));
  });
}

async function stopServer(): Promise<void> {
  const child = server;
  server = undefined;
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const killer = setTimeout(() => child.kill('SIGKILL'), 5_000);
  await exited;
  clearTimeout(killer);
}

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

/** One call of the contract over a fresh authorised WebSocket, as the page makes it. */
function callLab(method: string, args: unknown[] = []): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://${url.host}/ws?token=${url.searchParams.get('token')}`);
    ws.once('open', () => ws.send(JSON.stringify({ type: 'call', id: 1, method, args })));
    ws.on('message', (data) => {
      const message = JSON.parse(String(data)) as { type: string; id?: number; result?: { ok: boolean; value?: unknown; error?: { message: string } } };
      if (message.type !== 'result' || message.id !== 1 || !message.result) return;
      ws.close();
      if (message.result.ok) resolve(message.result.value);
      else reject(new Error(message.result.error?.message));
    });
    ws.once('error', reject);
  });
}

async function runAxe(label: string): Promise<void> {
  // Evaluated over the DevTools protocol: page.addScriptTag would inject an inline <script>, which
  // our CSP (script-src 'self') rightly blocks.
  await page.evaluate(axeSource);
  const result = await page.evaluate(() => (window as unknown as { axe: { run(): Promise<AxeResult> } }).axe.run());
  const serious = result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  const report = serious
    .map(
      (v) =>
        `- [${v.impact}] ${v.id}: ${v.help} (${v.helpUrl})\n` +
        v.nodes.map((n) => `    at ${JSON.stringify(n.target)}${n.failureSummary ? `: ${n.failureSummary.replace(/\n\s*/g, ' ')}` : ''}`).join('\n'),
    )
    .join('\n');
  expect(serious, `axe-core found serious/critical violations (${label}):\n${report}`).toEqual([]);
}

const themeOf = (): Promise<{ shown: string | undefined; setting: string | undefined }> =>
  page.evaluate(() => ({ shown: document.documentElement.dataset.theme, setting: document.documentElement.dataset.themeSetting }));

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
    if (!existsSync(join(root, 'out', 'cli.js')) || !existsSync(join(root, 'out', 'renderer', 'index.html'))) {
      throw new Error('out/cli.js or out/renderer/index.html is missing: run "npm run build" before the e2e test.');
    }
    if (!existsSync(chromiumPath)) {
      throw new Error(`Debian chromium not found at ${chromiumPath} — apt-get install chromium`);
    }
    await mkdir(resultsDir, { recursive: true });
    const dataDir = await mkdtemp(join(tmpdir(), 'xlab-e2e-data-'));
    const profileDir = await mkdtemp(join(tmpdir(), 'xlab-e2e-chromium-'));
    tmpDirs.push(dataDir, profileDir);

    url = await startServer(dataDir);
    context = await chromium.launchPersistentContext(profileDir, {
      executablePath: chromiumPath,
      headless: true,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
      viewport: { width: 1280, height: 800 },
      colorScheme: 'light',
    });
    page = context.pages()[0] ?? (await context.newPage());
    page.on('pageerror', (error) => pageErrors.push(`page error: ${error.message}`));
    page.on('console', (message) => {
      if (message.type() === 'error') pageErrors.push(`console error: ${message.text()}`);
    });
  }, 90_000);

  afterAll(async () => {
    await context?.close().catch(() => {});
    await stopServer();
    await Promise.all(tmpDirs.map((dir) => rm(dir, { recursive: true, force: true })));
  }, 30_000);

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
  });

  it('names the JS engine in the status bar once the worker has loaded it', async () => {
    const text = await waitForEngine();
    expect(text).toMatch(/Engine: tfjs · CPU/);
    expect(await page.getByTestId('engine-badge').getAttribute('title')).toBeTruthy();
    expect(await page.getByTestId('connection').textContent()).toMatch(/Connected/);
    expect(await page.getByTestId('app-version').textContent()).toMatch(/^v\d+\.\d+\.\d+/);
  }, engineTimeout + 5_000);

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
    // system → light → dark
    for (let i = 0; i < 3 && (await themeOf()).setting !== 'dark'; i++) await toggle.click();
    expect(await themeOf()).toEqual({ shown: 'dark', setting: 'dark' });
    // Saved through the server: another client sees it, and a reload (no client-side storage) gets it back.
    await expect.poll(async () => ((await callLab('getSettings')) as { theme: string }).theme, { timeout: 5_000 }).toBe('dark');
    await page.reload();
    await page.waitForFunction(() => document.documentElement.dataset.themeSetting === 'dark', undefined, { timeout: 10_000 });
    expect((await themeOf()).shown).toBe('dark');
  });

  it('has no serious or critical accessibility violations in the dark theme', async () => {
    await page.getByRole('article', { name: 'Fashion-MNIST mini' }).waitFor({ timeout: 10_000 });
    await waitForEngine();
    await page.screenshot({ path: join(resultsDir, 'shell-dark.png') });
    await runAxe('dark theme, Datasets page');
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Train' }).click();
    await page.getByRole('heading', { level: 1, name: 'Train' }).waitFor();
    await runAxe('dark theme, Train page');
  }, engineTimeout + 10_000);

  it('logged no page errors (CSP violations, exceptions)', () => {
    expect(pageErrors).toEqual([]);
  });
});
