/**
 * Report HTML to PDF with a Chromium or Chrome installed on the machine (the CLI and browser
 * mode; the desktop app uses Electron's own printToPDF). Playwright drives the browser; it is
 * loaded only when a PDF is asked for. The page gets no network and no JavaScript.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { LabError, firstLine } from '../errors';

/** Prints a report's HTML to PDF bytes: Chromium here, Electron's printToPDF in the app. */
export type PdfPrinter = (html: string) => Promise<Uint8Array>;

export const chromiumArgs = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

const noChromium =
  'PDF export needs Chromium or Google Chrome: install it (e.g. apt install chromium) or set XLAB_CHROMIUM to its path; HTML export works without it.';

/** Where Chromium-family browsers are installed by default on this platform, most likely first. */
export function chromiumCandidates(platform: NodeJS.Platform, env: NodeJS.ProcessEnv): string[] {
  if (platform === 'darwin') {
    const apps = [
      'Google Chrome.app/Contents/MacOS/Google Chrome',
      'Chromium.app/Contents/MacOS/Chromium',
      'Microsoft Edge.app/Contents/MacOS/Microsoft Edge',
    ];
    const roots = ['/Applications', ...(env.HOME ? [join(env.HOME, 'Applications')] : [])];
    return roots.flatMap((root) => apps.map((app) => `${root}/${app}`));
  }
  if (platform === 'win32') {
    const roots = [env.PROGRAMFILES, env['PROGRAMFILES(X86)'], env.LOCALAPPDATA].filter((r): r is string => Boolean(r));
    const exes = [
      'Google\\Chrome\\Application\\chrome.exe',
      'Chromium\\Application\\chrome.exe',
      'Microsoft\\Edge\\Application\\msedge.exe',
    ];
    return exes.flatMap((exe) => roots.map((root) => `${root}\\${exe}`));
  }
  return [
    '/usr/bin/chromium',
    '/usr/bin/chromium-browser',
    '/usr/bin/google-chrome',
    '/usr/bin/google-chrome-stable',
    '/snap/bin/chromium',
  ];
}

/** The browser to print with: `XLAB_CHROMIUM` if set (it must exist), else the first installed candidate. */
export function findChromium(
  env: NodeJS.ProcessEnv = process.env,
  platform: NodeJS.Platform = process.platform,
  exists: (path: string) => boolean = existsSync,
): string {
  const given = env.XLAB_CHROMIUM?.trim();
  if (given) {
    if (!exists(given))
      throw new LabError(
        'NO_CHROMIUM',
        `XLAB_CHROMIUM is set to ${given}, but there is no file there: set it to the path of Chromium or Google Chrome, or unset it.`,
      );
    return given;
  }
  const found = chromiumCandidates(platform, env).find((path) => exists(path));
  if (!found) throw new LabError('NO_CHROMIUM', noChromium);
  return found;
}

/** A printer that starts headless Chromium for each PDF (A4, backgrounds printed) and closes it after. */
export function createChromiumPrinter(env: NodeJS.ProcessEnv = process.env): PdfPrinter {
  return async (html) => {
    const executablePath = findChromium(env);
    const { chromium } = await import('playwright-core');
    let browser;
    try {
      browser = await chromium.launch({ executablePath, headless: true, args: chromiumArgs, timeout: 60_000 });
    } catch (error) {
      throw new LabError(
        'PDF_FAILED',
        `Could not start ${executablePath} to print the PDF: ${firstLine(error)}. Set XLAB_CHROMIUM to another Chromium or Chrome, or export HTML instead.`,
        { cause: error },
      );
    }
    try {
      const context = await browser.newContext({ javaScriptEnabled: false, offline: true });
      const page = await context.newPage();
      await page.setContent(html, { waitUntil: 'load', timeout: 60_000 });
      return new Uint8Array(await page.pdf({ format: 'A4', printBackground: true }));
    } catch (error) {
      throw new LabError(
        'PDF_FAILED',
        `Chromium (${executablePath}) could not print the report: ${firstLine(error)}. Export HTML instead and print it from a browser.`,
        { cause: error },
      );
    } finally {
      await browser.close().catch(() => {});
    }
  };
}
