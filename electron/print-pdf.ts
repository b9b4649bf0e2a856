import { BrowserWindow } from 'electron';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

/**
 * Report HTML to PDF with Electron's own Chromium: a hidden, sandboxed window without
 * JavaScript, in its own in-memory session, loads the page from a temporary file (data: URLs
 * are capped at 2 MB, a report with big confusion matrices is not), prints it on A4 and is
 * destroyed. The page cannot navigate or open windows.
 */
export async function printToPdf(html: string): Promise<Uint8Array> {
  const win = new BrowserWindow({
    show: false,
    width: 1000,
    height: 1400,
    webPreferences: {
      sandbox: true,
      contextIsolation: true,
      nodeIntegration: false,
      javascript: false,
      webSecurity: true,
      spellcheck: false,
      partition: 'xlab-print',
    },
  });
  let dir: string | undefined;
  try {
    const contents = win.webContents;
    contents.setWindowOpenHandler(() => ({ action: 'deny' }));
    contents.on('will-navigate', (event) => event.preventDefault());
    dir = await mkdtemp(join(tmpdir(), 'xlab-print-'));
    const file = join(dir, 'report.html');
    await writeFile(file, html, 'utf8');
    await win.loadURL(pathToFileURL(file).href);
    return new Uint8Array(await contents.printToPDF({ printBackground: true, pageSize: 'A4' }));
  } finally {
    win.destroy();
    if (dir) await rm(dir, { recursive: true, force: true });
  }
}
