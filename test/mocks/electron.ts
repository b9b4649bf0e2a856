/**
 * The one stand-in for `electron` in unit tests (vitest aliases the module here), so
 * electron/ code runs without the Electron binary. State is reset by `resetElectronMock()`.
 */
import { vi } from 'vitest';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';

type Handler = (event: unknown, ...args: unknown[]) => unknown;

export const ipcMain = {
  handlers: new Map<string, Handler>(),
  handle: vi.fn((channel: string, handler: Handler) => {
    if (ipcMain.handlers.has(channel)) throw new Error(`Attempted to register a second handler for '${channel}'`);
    ipcMain.handlers.set(channel, handler);
  }),
  removeHandler: vi.fn((channel: string) => {
    ipcMain.handlers.delete(channel);
  }),
};

export class FakeWebContents {
  readonly sent: { channel: string; args: unknown[] }[] = [];
  mainFrame = { url: 'app://xlab/index.html' };
  readonly listeners = new Map<string, (...args: unknown[]) => void>();
  windowOpenHandler?: (details: { url: string }) => unknown;
  permissionHandler?: (...args: unknown[]) => void;
  readonly session = {
    setPermissionRequestHandler: (handler: (...args: unknown[]) => void) => {
      this.permissionHandler = handler;
    },
  };
  send(channel: string, ...args: unknown[]): void {
    this.sent.push({ channel, args });
  }
  setWindowOpenHandler(handler: (details: { url: string }) => unknown): void {
    this.windowOpenHandler = handler;
  }
  on(event: string, listener: (...args: unknown[]) => void): this {
    this.listeners.set(event, listener);
    return this;
  }
  /** Set by `BrowserWindow.loadURL`. */
  loadedUrl?: string;
  /** "Prints" what was loaded: a fake PDF header, then a file: URL's bytes, so tests see what would be printed. */
  printToPDF = vi.fn(async (_options: unknown): Promise<Buffer> => {
    const body = this.loadedUrl?.startsWith('file:') ? await readFile(fileURLToPath(this.loadedUrl)) : Buffer.alloc(0);
    return Buffer.concat([Buffer.from('%PDF-mock\n'), body]);
  });
}

export class BrowserWindow {
  static all: BrowserWindow[] = [];
  static fromWebContents(contents: unknown): BrowserWindow | null {
    return BrowserWindow.all.find((w) => w.webContents === contents) ?? null;
  }
  readonly webContents = new FakeWebContents();
  readonly options: unknown;
  destroyed = false;
  loadedUrl?: string;
  readonly onceListeners = new Map<string, () => void>();
  constructor(options?: unknown) {
    this.options = options;
    BrowserWindow.all.push(this);
  }
  once(event: string, listener: () => void): this {
    this.onceListeners.set(event, listener);
    return this;
  }
  show = vi.fn();
  focus = vi.fn();
  restore = vi.fn();
  isMinimized = (): boolean => false;
  isDestroyed = (): boolean => this.destroyed;
  loadURL = vi.fn(async (url: string) => {
    this.loadedUrl = url;
    this.webContents.loadedUrl = url;
  });
  destroy = vi.fn(() => {
    this.destroyed = true;
  });
}

export const ipcRenderer = {
  invoke: vi.fn(async (..._args: unknown[]): Promise<unknown> => undefined),
  on: vi.fn(),
  removeListener: vi.fn(),
};
export const contextBridge = { exposeInMainWorld: vi.fn() };
export const webUtils = { getPathForFile: vi.fn((file: { name: string }) => `/dropped/${file.name}`) };
export const shell = { openExternal: vi.fn(async () => {}), openPath: vi.fn(async () => '') };
export const dialog = { showOpenDialog: vi.fn(), showErrorBox: vi.fn() };
export const nativeTheme = { themeSource: 'system', shouldUseDarkColors: false };
export const protocol = { registerSchemesAsPrivileged: vi.fn(), handle: vi.fn() };
export const app = {
  /** A development run unless a test says otherwise. */
  isPackaged: false,
  getPath: vi.fn(() => '/tmp/xlab-user-data'),
  quit: vi.fn(),
  exit: vi.fn(),
  whenReady: vi.fn(async () => {}),
  requestSingleInstanceLock: vi.fn(() => true),
  on: vi.fn(),
};
export class Menu {
  static built: unknown[] = [];
  static buildFromTemplate = vi.fn((template: unknown[]) => {
    Menu.built = template;
    return new Menu();
  });
  static setApplicationMenu = vi.fn();
}

export function resetElectronMock(): void {
  ipcMain.handlers.clear();
  app.isPackaged = false;
  BrowserWindow.all = [];
  vi.clearAllMocks();
}
