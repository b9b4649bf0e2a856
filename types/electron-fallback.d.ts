/**
 * Used ONLY when the `electron` package is not installed (its install script downloads the
 * Electron binary, which fails offline and makes npm drop the optional dependency, types and
 * all). scripts/typecheck.mjs adds this file then; whenever electron is installed — on CI and
 * on any machine with internet — electron/ is checked against Electron's own electron.d.ts.
 * It declares only the subset electron/ uses, with Electron's signatures.
 */
declare module 'electron' {
  type Listener = (...args: any[]) => void;

  interface EventLike {
    preventDefault(): void;
  }

  export interface WebFrameMain {
    url: string;
  }

  export interface Session {
    setPermissionRequestHandler(
      handler: ((webContents: WebContents, permission: string, callback: (granted: boolean) => void) => void) | null,
    ): void;
  }

  export interface WebContents {
    readonly mainFrame: WebFrameMain;
    readonly session: Session;
    send(channel: string, ...args: any[]): void;
    setWindowOpenHandler(handler: (details: { url: string }) => { action: 'deny' } | { action: 'allow' }): void;
    on(event: 'will-navigate', listener: (event: EventLike, url: string) => void): this;
    on(event: 'will-attach-webview', listener: (event: EventLike) => void): this;
    printToPDF(options: { printBackground?: boolean; pageSize?: 'A4' | 'Letter' }): Promise<Buffer>;
  }

  export interface BrowserWindowConstructorOptions {
    width?: number;
    height?: number;
    minWidth?: number;
    minHeight?: number;
    show?: boolean;
    title?: string;
    backgroundColor?: string;
    webPreferences?: {
      preload?: string;
      contextIsolation?: boolean;
      sandbox?: boolean;
      nodeIntegration?: boolean;
      webSecurity?: boolean;
      spellcheck?: boolean;
      devTools?: boolean;
      javascript?: boolean;
      partition?: string;
    };
  }

  export class BrowserWindow {
    constructor(options?: BrowserWindowConstructorOptions);
    static fromWebContents(webContents: WebContents): BrowserWindow | null;
    readonly webContents: WebContents;
    once(event: 'ready-to-show', listener: () => void): this;
    show(): void;
    focus(): void;
    restore(): void;
    isMinimized(): boolean;
    isDestroyed(): boolean;
    loadURL(url: string): Promise<void>;
    destroy(): void;
  }

  export interface IpcMainInvokeEvent {
    sender: WebContents;
    senderFrame: WebFrameMain | null;
  }

  export const ipcMain: {
    handle(channel: string, listener: (event: IpcMainInvokeEvent, ...args: any[]) => Promise<any> | any): void;
    removeHandler(channel: string): void;
  };

  export interface IpcRendererEvent {
    sender: unknown;
  }

  export const ipcRenderer: {
    invoke(channel: string, ...args: any[]): Promise<any>;
    on(channel: string, listener: (event: IpcRendererEvent, ...args: any[]) => void): unknown;
    removeListener(channel: string, listener: (...args: any[]) => void): unknown;
  };

  export const contextBridge: { exposeInMainWorld(apiKey: string, api: any): void };
  export const webUtils: { getPathForFile(file: File): string };

  export const app: {
    readonly isPackaged: boolean;
    getPath(name: 'userData' | 'appData' | 'home' | 'temp'): string;
    quit(): void;
    exit(exitCode?: number): void;
    whenReady(): Promise<void>;
    requestSingleInstanceLock(): boolean;
    on(event: 'second-instance' | 'window-all-closed', listener: () => void): unknown;
    on(event: 'before-quit', listener: (event: EventLike) => void): unknown;
  };

  export const protocol: {
    registerSchemesAsPrivileged(
      schemes: { scheme: string; privileges?: { standard?: boolean; secure?: boolean; supportFetchAPI?: boolean } }[],
    ): void;
    handle(scheme: string, handler: (request: Request) => Response | Promise<Response>): void;
  };

  export const shell: { openExternal(url: string): Promise<void>; openPath(path: string): Promise<string> };

  export const dialog: {
    showOpenDialog(
      window: BrowserWindow,
      options: { title?: string; properties?: ('openDirectory' | 'openFile' | 'multiSelections')[] },
    ): Promise<{ canceled: boolean; filePaths: string[] }>;
    showErrorBox(title: string, content: string): void;
  };

  export const nativeTheme: { themeSource: 'system' | 'light' | 'dark'; readonly shouldUseDarkColors: boolean };

  export interface MenuItemConstructorOptions {
    label?: string;
    accelerator?: string;
    role?: string;
    type?: 'normal' | 'separator' | 'submenu' | 'checkbox' | 'radio';
    click?: Listener;
    submenu?: MenuItemConstructorOptions[];
  }

  export class Menu {
    static buildFromTemplate(template: MenuItemConstructorOptions[]): Menu;
    static setApplicationMenu(menu: Menu | null): void;
  }
}
