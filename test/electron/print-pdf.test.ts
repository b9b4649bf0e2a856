import { beforeEach, describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { BrowserWindow, resetElectronMock } from '../mocks/electron';
import { printToPdf } from '../../electron/print-pdf';

describe('printToPdf', () => {
  beforeEach(() => resetElectronMock());

  it('prints the page from a hidden, sandboxed window without JavaScript, on A4, then destroys it', async () => {
    const html = '<!doctype html><title>r</title><p>21,066,380</p>';
    const pdf = await printToPdf(html);
    expect(Buffer.from(pdf).toString('utf8')).toBe(`%PDF-mock\n${html}`);
    expect(BrowserWindow.all).toHaveLength(1);
    const win = BrowserWindow.all[0]!;
    const options = win.options as { show: boolean; webPreferences: Record<string, unknown> };
    expect(options.show).toBe(false);
    expect(options.webPreferences).toMatchObject({
      sandbox: true,
      contextIsolation: true,
      nodeIntegration: false,
      javascript: false,
    });
    expect(win.webContents.printToPDF).toHaveBeenCalledWith({ printBackground: true, pageSize: 'A4' });
    expect(win.destroy).toHaveBeenCalled();
    // The page was loaded from a temporary file, removed afterwards; the window cannot leave it.
    expect(win.loadedUrl).toMatch(/^file:\/\/.*report\.html$/);
    expect(existsSync(fileURLToPath(win.loadedUrl!))).toBe(false);
    expect(win.webContents.windowOpenHandler!({ url: 'file:///etc/passwd' })).toEqual({ action: 'deny' });
    let prevented = false;
    win.webContents.listeners.get('will-navigate')!(
      { preventDefault: () => (prevented = true) },
      'https://example.com/',
    );
    expect(prevented).toBe(true);
  });

  it('destroys the window and removes the file when printing fails', async () => {
    const failing = printToPdf('<p>x</p>');
    // The window is created at once; make its print fail.
    const win = BrowserWindow.all[0]!;
    win.webContents.printToPDF.mockRejectedValueOnce(new Error('printing failed'));
    await expect(failing).rejects.toThrow('printing failed');
    expect(win.destroy).toHaveBeenCalled();
    expect(existsSync(fileURLToPath(win.loadedUrl!))).toBe(false);
  });
});
