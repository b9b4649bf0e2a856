import type { AppInfo, EngineInfo, LogEntry, MenuEvent, Settings, ThemeSetting } from '../../../main/contract';
import { isDisconnected, type LabClient } from './lab-client';
import type { ConnectionState } from './transport';
import { messageOf } from './message-of';

/** The app's pages, in navigation order. */
export const pages = [
  { id: 'datasets', label: 'Datasets' },
  { id: 'model', label: 'Model' },
  { id: 'train', label: 'Train' },
  { id: 'runs', label: 'Runs & Compare' },
  { id: 'report', label: 'Report' },
] as const;

export type PageId = (typeof pages)[number]['id'];

export function isPageId(value: unknown): value is PageId {
  return pages.some((page) => page.id === value);
}

export type EngineStatus =
  { state: 'loading' } | { state: 'ready'; info: EngineInfo } | { state: 'error'; message: string };

export type ResolvedTheme = 'light' | 'dark';

/** The log keeps the most recent entries only. */
export const maxLogEntries = 200;

const themeCycle: readonly ThemeSetting[] = ['system', 'light', 'dark'];

export function nextTheme(theme: ThemeSetting): ThemeSetting {
  return themeCycle[(themeCycle.indexOf(theme) + 1) % themeCycle.length] ?? 'system';
}

const logKey = (entry: LogEntry): string => `${entry.time}\u0000${entry.level}\u0000${entry.message}`;

/**
 * Everything the shell shows, as rune state. One instance is created by App and passed to the
 * components; it talks to the lab only through its `LabClient`, and to the DOM not at all
 * (App feeds it the OS colour scheme and the URL hash).
 */
export class AppState {
  readonly lab: LabClient;

  page = $state<PageId>('datasets');
  engine = $state.raw<EngineStatus>({ state: 'loading' });
  appInfo = $state.raw<AppInfo | null>(null);
  settings = $state.raw<Settings>({ theme: 'system' });
  /** The OS prefers dark (fed by App from `prefers-color-scheme`). */
  systemDark = $state(false);
  connection = $state<ConnectionState>('connecting');
  log = $state.raw<LogEntry[]>([]);
  /** A folder picked with the native menu's Open Dataset…, until dataset import uses it. */
  openedFolder = $state<string | null>(null);
  /** The dataset folder the user chose to train on (the Datasets page's "Train on this dataset"). */
  datasetPath = $state<string | null>(null);
  /** The last action that failed, said for the user; cleared by `dismissNotice`. */
  notice = $state<string | null>(null);

  /** The theme actually shown. */
  theme: ResolvedTheme = $derived(
    this.settings.theme === 'system' ? (this.systemDark ? 'dark' : 'light') : this.settings.theme,
  );
  /** Warnings and errors in the log. */
  problems = $derived(this.log.filter((entry) => entry.level !== 'info').length);

  #settingsChanged = false;
  #themeRequest = 0;

  constructor(lab: LabClient, initial: { page?: PageId; systemDark?: boolean } = {}) {
    this.lab = lab;
    this.page = initial.page ?? 'datasets';
    this.systemDark = initial.systemDark ?? false;
    this.connection = lab.connection;
  }

  /** Subscribes to the lab's events and loads the first state; returns the cleanup. */
  start(): () => void {
    const lab = this.lab;
    const stops = [
      lab.on('engine', (info) => {
        this.engine = { state: 'ready', info };
      }),
      lab.on('log', (entry) => this.addLog(entry)),
      lab.on('menu', (event) => this.handleMenu(event)),
      lab.onConnectionChange((state) => {
        const was = this.connection;
        this.connection = state;
        // Whatever was pending when the socket dropped failed; fetch it again.
        if (state === 'connected' && was === 'reconnecting') void this.load();
      }),
    ];
    this.connection = lab.connection;
    void this.load();
    return () => stops.forEach((stop) => stop());
  }

  async load(): Promise<void> {
    await Promise.all([this.loadAppInfo(), this.loadSettings(), this.loadEngine(), this.loadLog()]);
  }

  async loadEngine(): Promise<void> {
    if (this.engine.state === 'error') this.engine = { state: 'loading' };
    try {
      this.engine = { state: 'ready', info: await this.lab.getEngine() };
    } catch (error) {
      // A dropped connection is not an engine failure: stay "loading" until we reconnect.
      if (!isDisconnected(error)) this.engine = { state: 'error', message: messageOf(error) };
    }
  }

  async loadAppInfo(): Promise<void> {
    try {
      this.appInfo = await this.lab.getAppInfo();
    } catch (error) {
      if (!isDisconnected(error)) this.notice = `Could not read the app's details: ${messageOf(error)}`;
    }
  }

  async loadSettings(): Promise<void> {
    try {
      const settings = await this.lab.getSettings();
      // A change the user made while this was loading wins.
      if (!this.#settingsChanged) this.settings = settings;
    } catch (error) {
      if (!isDisconnected(error)) this.notice = `Could not load your settings: ${messageOf(error)}`;
    }
  }

  async loadLog(): Promise<void> {
    try {
      const earlier = await this.lab.getLog();
      // Entries pushed while the request was under way may be in both lists.
      const known = new Set(earlier.map(logKey));
      this.log = [...earlier, ...this.log.filter((entry) => !known.has(logKey(entry)))].slice(-maxLogEntries);
    } catch (error) {
      if (!isDisconnected(error)) this.notice = `Could not read the log: ${messageOf(error)}`;
    }
  }

  addLog(entry: LogEntry): void {
    this.log = [...this.log, entry].slice(-maxLogEntries);
  }

  navigate(page: PageId): void {
    this.page = page;
  }

  /** Shows `theme` at once and saves it; on failure puts the old one back and says why. */
  async setTheme(theme: ThemeSetting): Promise<void> {
    const before = this.settings;
    this.#settingsChanged = true;
    this.settings = { ...before, theme };
    // Quick clicks overlap: only the newest request's answer may set the theme, or an older
    // answer arriving late would flip it back.
    const request = ++this.#themeRequest;
    try {
      const saved = await this.lab.updateSettings({ theme });
      if (request === this.#themeRequest) this.settings = saved;
    } catch (error) {
      if (request !== this.#themeRequest) return;
      this.settings = before;
      this.notice = `Could not save the theme: ${messageOf(error)}`;
    }
  }

  cycleTheme(): Promise<void> {
    return this.setTheme(nextTheme(this.settings.theme));
  }

  /** Light ↔ dark, from whatever is shown now (the menu's Toggle Dark Mode). */
  toggleDark(): Promise<void> {
    return this.setTheme(this.theme === 'dark' ? 'light' : 'dark');
  }

  handleMenu(event: MenuEvent): void {
    switch (event.command) {
      case 'toggle-dark-mode':
        void this.toggleDark();
        return;
      case 'open-dataset':
        if (event.path) this.openedFolder = event.path;
        this.navigate('datasets');
        return;
      case 'export-report':
        this.navigate('report');
        return;
    }
  }

  dismissNotice(): void {
    this.notice = null;
  }
}
