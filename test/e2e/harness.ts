/**
 * What every end-to-end test shares: the real `xlab serve` started on a free port, Debian's
 * Chromium with a fresh profile, axe-core for accessibility, one-shot contract calls over the
 * WebSocket, temp dirs. Each test file keeps its own page helpers and fixtures.
 *
 * Needs `npm run build` first (out/cli.js and out/renderer/); nothing here builds.
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { expect } from 'vitest';
import WebSocket from 'ws';

/** The repository root. */
export const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
/** Debian's Chromium; the tests never download a browser. */
export const chromiumPath = '/usr/bin/chromium';
/** Where the screenshots go. */
export const resultsDir = join(root, 'test-results', 'e2e');

const require = createRequire(import.meta.url);
const axeSource = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

/**
 * Throws unless the build output and Debian's Chromium are there (the messages say what to run),
 * then makes sure the screenshot folder exists. Call it first in `beforeAll`.
 */
export async function checkPrerequisites(): Promise<void> {
  if (!existsSync(join(root, 'out', 'cli.js')) || !existsSync(join(root, 'out', 'renderer', 'index.html'))) {
    throw new Error('out/cli.js or out/renderer/index.html is missing: run "npm run build" before the e2e test.');
  }
  if (!existsSync(chromiumPath))
    throw new Error(`Debian chromium not found at ${chromiumPath} — apt-get install chromium`);
  await mkdir(resultsDir, { recursive: true });
}

/** A fresh directory under the OS temp dir, and how to remove it. */
export interface TempDir {
  path: string;
  /** Removes the directory and everything in it; never throws for a missing one. */
  cleanup(): Promise<void>;
}

export async function tempDir(prefix: string): Promise<TempDir> {
  const path = await mkdtemp(join(tmpdir(), prefix));
  return { path, cleanup: () => rm(path, { recursive: true, force: true }) };
}

/** A running `xlab serve`. */
export interface Lab {
  /** The URL it printed, token included. */
  url: URL;
  /** Everything it wrote to stdout and stderr so far. */
  readonly log: string;
  /** SIGTERM, then SIGKILL if it is still running after 5 s; resolves once it has exited. Idempotent. */
  stop(): Promise<void>;
}

/**
 * Starts `xlab serve --port 0 --no-open --data-dir <dataDir>` on the pure-JS engine
 * (XLAB_BACKEND=js: the badge must name it even where tfjs-node is installed) and resolves once
 * it prints its URL. Rejects, with the server's output, if it exits first or prints no URL within
 * 30 s; a server that never printed its URL is stopped before the rejection. `env` adds to its
 * environment (e.g. XLAB_PYTHON).
 */
export function startLab(dataDir: string, env: NodeJS.ProcessEnv = {}): Promise<Lab> {
  const child = spawn(process.execPath, ['bin/xlab.js', 'serve', '--port', '0', '--no-open', '--data-dir', dataDir], {
    cwd: root,
    env: { ...process.env, XLAB_BACKEND: 'js', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let log = '';
  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.kill('SIGTERM');
      const killer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(killer);
    })();
    return stopping;
  };
  return new Promise((resolve, reject) => {
    let stdout = '';
    let settled = false;
    const timer = setTimeout(() => fail(new Error('"xlab serve" printed no URL within 30 s')), 30_000);
    const fail = (error: Error): void => {
      clearTimeout(timer);
      if (settled) return;
      settled = true;
      const rejection = new Error(`${error.message}\n--- server output ---\n${log}`);
      void stop().then(() => reject(rejection));
    };
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
      log += chunk;
      const match = /http:\/\/127\.0\.0\.1:\d+\/\?token=[0-9a-f]+/.exec(stdout);
      if (match && !settled) {
        settled = true;
        clearTimeout(timer);
        resolve({
          url: new URL(match[0]),
          get log() {
            return log;
          },
          stop,
        });
      }
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      log += chunk;
    });
    child.once('error', (error) => fail(error));
    child.once('exit', (code, signal) => fail(new Error(`"xlab serve" exited early (code ${code}, signal ${signal})`)));
  });
}

/** One call of the contract over a fresh authorised WebSocket, as the page makes it. */
export function callLab(url: URL, method: string, args: unknown[] = []): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://${url.host}/ws?token=${url.searchParams.get('token')}`);
    ws.once('open', () => ws.send(JSON.stringify({ type: 'call', id: 1, method, args })));
    ws.on('message', (data) => {
      const message = JSON.parse(String(data)) as {
        type: string;
        id?: number;
        result?: { ok: boolean; value?: unknown; error?: { message: string } };
      };
      if (message.type !== 'result' || message.id !== 1 || !message.result) return;
      ws.close();
      if (message.result.ok) resolve(message.result.value);
      else reject(new Error(message.result.error?.message));
    });
    ws.once('error', reject);
  });
}

/** Debian's Chromium on a fresh profile, its first page, and the errors that page logs. */
export interface Browser {
  context: BrowserContext;
  page: Page;
  /** Uncaught exceptions and console errors (CSP violations among them), in order. */
  pageErrors: string[];
}

/** Launches headless Chromium on `userDataDir`, light colour scheme, at `viewport`. */
export async function launchChromium(
  userDataDir: string,
  viewport: { width: number; height: number },
): Promise<Browser> {
  const context = await chromium.launchPersistentContext(userDataDir, {
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
    viewport,
    colorScheme: 'light',
  });
  const page = context.pages()[0] ?? (await context.newPage());
  const pageErrors: string[] = [];
  page.on('pageerror', (error) => pageErrors.push(`page error: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error') pageErrors.push(`console error: ${message.text()}`);
  });
  return { context, page, pageErrors };
}

/** One axe-core rule broken on the page. */
export interface AxeViolation {
  id: string;
  impact?: string | null;
  help: string;
  helpUrl: string;
  nodes: { target: unknown[]; failureSummary?: string }[];
}

/** Runs axe-core on the page as it is; the serious and critical violations, and a readable report of them. */
export async function seriousAxeViolations(page: Page): Promise<{ violations: AxeViolation[]; report: string }> {
  // Evaluated over the DevTools protocol: page.addScriptTag would inject an inline <script>, which
  // our CSP (script-src 'self') rightly blocks.
  await page.evaluate(axeSource);
  const result = await page.evaluate(() =>
    (window as unknown as { axe: { run(): Promise<{ violations: AxeViolation[] }> } }).axe.run(),
  );
  const violations = result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  const report = violations
    .map(
      (v) =>
        `- [${v.impact}] ${v.id}: ${v.help} (${v.helpUrl})\n` +
        v.nodes
          .map(
            (n) =>
              `    at ${JSON.stringify(n.target)}${n.failureSummary ? `: ${n.failureSummary.replace(/\n\s*/g, ' ')}` : ''}`,
          )
          .join('\n'),
    )
    .join('\n');
  return { violations, report };
}

/** Fails the test if axe-core finds serious or critical violations; `label` says where. */
export async function expectNoSeriousAxeViolations(page: Page, label: string): Promise<void> {
  const { violations, report } = await seriousAxeViolations(page);
  expect(violations, `axe-core found serious/critical violations (${label}):\n${report}`).toEqual([]);
}

/**
 * Clicks the theme toggle (system → light → dark → system) until `setting` is chosen, waiting
 * for each click to show before the next, then for the page to be drawn in that theme.
 */
export async function chooseTheme(page: Page, setting: 'light' | 'dark'): Promise<void> {
  const toggle = page.getByTestId('theme-toggle');
  for (let i = 0; i < 3 && (await toggle.getAttribute('data-setting')) !== setting; i++) {
    const before = await toggle.getAttribute('data-setting');
    await toggle.click();
    await page.waitForFunction(
      (was) => document.querySelector('[data-testid="theme-toggle"]')?.getAttribute('data-setting') !== was,
      before,
    );
  }
  await page.waitForFunction((wanted) => document.documentElement.dataset.theme === wanted, setting);
}

/** A screenshot of the whole page into `resultsDir`: the shell scrolls inside <main>, so the window grows to fit it first. */
export async function screenshotWholePage(page: Page, file: string): Promise<void> {
  const viewport = page.viewportSize() ?? { width: 1280, height: 900 };
  const overflow = await page.evaluate(() => {
    const main = document.querySelector('main');
    return main ? main.scrollHeight - main.clientHeight : 0;
  });
  await page.setViewportSize({ width: viewport.width, height: viewport.height + Math.max(0, overflow) });
  await page.screenshot({ path: join(resultsDir, file) });
  await page.setViewportSize(viewport);
}

/** Where a file's tests start: the lab's URL and the browser page on it. */
export interface Opened {
  url: URL;
  page: Page;
  pageErrors: string[];
}

/**
 * One test file's lab, browser and temp dirs, closed together. In `beforeAll`, `await open(…)`;
 * in `afterAll`, `close()` (it closes whatever was opened, also after a failed `open`).
 */
export class LabSession {
  lab: Lab | undefined;
  browser: Browser | undefined;
  private readonly dirs: TempDir[] = [];

  /** A fresh temp dir that `close()` removes. */
  async tempDir(prefix: string): Promise<string> {
    const dir = await tempDir(prefix);
    this.dirs.push(dir);
    return dir.path;
  }

  /**
   * Checks the prerequisites, makes the data dir (`<prefix>data-…`) and the Chromium profile
   * (`<prefix>chromium-…`), runs `prepare` with the data dir (fixtures, seeded runs), then starts
   * the lab on that data dir (with `env` added to its environment) and Chromium at `viewport`.
   */
  async open(
    prefix: string,
    viewport: { width: number; height: number },
    prepare?: (dataDir: string) => Promise<void>,
    env: NodeJS.ProcessEnv = {},
  ): Promise<Opened> {
    await checkPrerequisites();
    const dataDir = await this.tempDir(`${prefix}data-`);
    const profileDir = await this.tempDir(`${prefix}chromium-`);
    await prepare?.(dataDir);
    this.lab = await startLab(dataDir, env);
    this.browser = await launchChromium(profileDir, viewport);
    return { url: this.lab.url, page: this.browser.page, pageErrors: this.browser.pageErrors };
  }

  /** Closes the browser (ignoring errors), stops the lab, removes the temp dirs. */
  async close(): Promise<void> {
    await this.browser?.context.close().catch(() => {});
    await this.lab?.stop();
    await Promise.all(this.dirs.map((dir) => dir.cleanup()));
  }
}
