import type {
  AugmentSettings,
  CacheInfo,
  FolderListing,
  RecentDataset,
  SampleDataset,
  ScanProgress,
  ScanReport,
  Thumbnail,
} from '../../../../main/contract';
import {
  defaultAugmentation,
  defaultPreviewSize,
  isAbsolutePath,
  newScanId,
  previewCount,
  thumbnailPageSize,
} from './dataset-view';
import type { AppState } from '../../lib/app-state.svelte';
import { LabClientError, type LabClient } from '../../lib/lab-client';
import { onePerSession } from '../../lib/session-lived.svelte';
import { messageOf } from '../../lib/message-of';

const codeOf = (error: unknown): string => (error instanceof LabClientError ? error.code : 'INTERNAL');

/** Where the current (or last) scan is. The report itself is `DatasetState.report`. */
export type ScanStatus =
  | { state: 'idle' }
  | { state: 'scanning'; path: string; scanId: string; progress: ScanProgress | null; cancelling: boolean }
  | { state: 'done'; path: string }
  | { state: 'cancelled'; path: string }
  | { state: 'failed'; path: string; code: string; message: string };

export type Loadable<T> = { state: 'loading' } | { state: 'ready'; value: T } | { state: 'error'; message: string };

/** One class's thumbnails, fetched a page at a time. */
export interface ClassThumbnails {
  /** Usable images of the class; `null` until the first page arrives. */
  total: number | null;
  items: Thumbnail[];
  /** Where the next page starts (the engine leaves out images it cannot read, so not `items.length`). */
  next: number;
  loading: boolean;
  error: string | null;
}

export interface AugmentPreview {
  /** The dataset image the variants are made from (relative to the root). */
  path: string;
  images: string[];
}

/**
 * The Datasets page: opening a folder (path field, folder browser, drop, native menu, recent
 * list, samples), the running scan and its report, thumbnails, the augmentation preview and
 * the preprocessing cache. One instance per app session (`datasetStateFor`), so the report
 * survives moving to another page and back.
 *
 * For the Train page: `augment` holds the augmentation settings the user chose here; the chosen
 * dataset folder is `AppState.datasetPath`.
 */
export class DatasetState {
  readonly lab: LabClient;
  readonly #app: AppState;

  /** The path field. */
  path = $state('');
  /** Why the path field's value cannot be opened (said before asking the engine). */
  pathError = $state<string | null>(null);

  status = $state.raw<ScanStatus>({ state: 'idle' });
  report = $state.raw<ScanReport | null>(null);

  recent = $state.raw<Loadable<RecentDataset[]>>({ state: 'loading' });
  /** A forget that failed. */
  recentError = $state<string | null>(null);
  samples = $state.raw<Loadable<SampleDataset[]>>({ state: 'loading' });

  browserOpen = $state(false);
  listing = $state.raw<FolderListing | null>(null);
  browsing = $state(false);
  browseError = $state<string | null>(null);

  /** Keyed by class name, for the report shown. */
  thumbnails = $state.raw<ReadonlyMap<string, ClassThumbnails>>(new Map());

  /** The augmentation the user chose, for the preview and for training. */
  augment = $state<AugmentSettings>({ ...defaultAugmentation });
  previewSize = $state(defaultPreviewSize);
  previewSeed = $state(1);
  preview = $state.raw<AugmentPreview | null>(null);
  previewLoading = $state(false);
  previewError = $state<string | null>(null);

  cache = $state.raw<Loadable<CacheInfo>>({ state: 'loading' });
  clearingCache = $state(false);
  /** The result of the last clear: done, refused (`CACHE_BUSY`) or failed. */
  cacheMessage = $state.raw<{ tone: 'ok' | 'warning' | 'error'; text: string } | null>(null);

  scanning = $derived(this.status.state === 'scanning');

  #started = false;
  #stops: (() => void)[] = [];
  #previewSeq = 0;
  #previewKey = '';
  #browseSeq = 0;

  constructor(app: AppState) {
    this.#app = app;
    this.lab = app.lab;
  }

  /** Subscribes once (scan progress, the native menu's Open Dataset…) and refreshes the lists. */
  init(): void {
    if (!this.#started) {
      this.#started = true;
      this.#stops.push(
        this.lab.on('scanProgress', ({ scanId, ...progress }) => {
          const status = this.status;
          if (status.state === 'scanning' && status.scanId === scanId) this.status = { ...status, progress };
        }),
        this.lab.on('menu', (event) => {
          if (event.command === 'open-dataset' && event.path) void this.open(event.path);
        }),
      );
      // A folder picked in the native dialog before this state existed.
      const opened = this.#app.openedFolder;
      if (opened) void this.open(opened);
    }
    void this.loadRecent();
    void this.loadCache();
    if (this.samples.state !== 'ready') void this.loadSamples();
  }

  dispose(): void {
    for (const stop of this.#stops.splice(0)) stop();
    this.#started = false;
  }

  /** Scans `path` (cancelling a scan under way) and shows its report. */
  async open(path: string): Promise<void> {
    const target = path.trim();
    this.path = target;
    if (!target) {
      this.pathError = 'Type the path of a dataset folder, or browse for one.';
      return;
    }
    if (!isAbsolutePath(target)) {
      this.pathError = 'Type the full path of the folder, starting with / (or a drive letter on Windows).';
      return;
    }
    this.pathError = null;
    const previous = this.status;
    if (previous.state === 'scanning') void this.lab.cancelScan(previous.scanId).catch(() => {});

    const scanId = newScanId();
    this.status = { state: 'scanning', path: target, scanId, progress: null, cancelling: false };
    this.report = null;
    this.browserOpen = false;
    this.#resetReportViews();
    try {
      const report = await this.lab.scanDataset(target, scanId);
      if (!this.#current(scanId)) return;
      this.report = report;
      this.path = report.root;
      this.status = { state: 'done', path: report.root };
      void this.loadRecent();
    } catch (error) {
      if (!this.#current(scanId)) return;
      const code = codeOf(error);
      this.status =
        code === 'CANCELLED'
          ? { state: 'cancelled', path: target }
          : { state: 'failed', path: target, code, message: messageOf(error) };
    }
  }

  /** Scans the folder of the report shown (or of the last attempt) again. */
  rescan(): Promise<void> {
    const status = this.status;
    return this.open(this.report?.root ?? ('path' in status ? status.path : this.path));
  }

  /** Asks the engine to stop the scan; `open` then sees `CANCELLED`. */
  async cancel(): Promise<void> {
    const status = this.status;
    if (status.state !== 'scanning' || status.cancelling) return;
    this.status = { ...status, cancelling: true };
    try {
      await this.lab.cancelScan(status.scanId);
    } catch (error) {
      if (this.#current(status.scanId)) {
        this.status = { ...status, cancelling: false };
        this.#app.notice = `Could not cancel the scan: ${messageOf(error)}`;
      }
    }
  }

  /** Closes the report (the folder is not touched). */
  close(): void {
    this.report = null;
    this.status = { state: 'idle' };
    this.#resetReportViews();
  }

  /** Chooses the report's folder for training and goes to the Train page. */
  trainOnThis(): void {
    if (!this.report) return;
    this.#app.datasetPath = this.report.root;
    this.#app.navigate('train');
  }

  #current(scanId: string): boolean {
    const status = this.status;
    return status.state === 'scanning' && status.scanId === scanId;
  }

  #resetReportViews(): void {
    this.thumbnails = new Map();
    this.preview = null;
    this.previewError = null;
    this.previewLoading = false;
    this.#previewSeq++;
    this.#previewKey = '';
  }

  async loadRecent(): Promise<void> {
    try {
      this.recent = { state: 'ready', value: await this.lab.listRecentDatasets() };
    } catch (error) {
      this.recent = { state: 'error', message: messageOf(error) };
    }
  }

  async forget(path: string): Promise<void> {
    this.recentError = null;
    try {
      this.recent = { state: 'ready', value: await this.lab.forgetRecentDataset(path) };
    } catch (error) {
      this.recentError = `Could not forget ${path}: ${messageOf(error)}`;
    }
  }

  async loadSamples(): Promise<void> {
    this.samples = { state: 'loading' };
    try {
      this.samples = { state: 'ready', value: await this.lab.listSamples() };
    } catch (error) {
      this.samples = { state: 'error', message: messageOf(error) };
    }
  }

  /** Opens the folder browser at the path field's folder when it is absolute, else at home. */
  openBrowser(): Promise<void> {
    const typed = this.path.trim();
    return this.browse(typed && isAbsolutePath(typed) ? typed : undefined, { fallbackHome: true });
  }

  /** Lists `path` (the home folder when undefined) in the folder browser. */
  async browse(path?: string, options: { fallbackHome?: boolean } = {}): Promise<void> {
    this.browserOpen = true;
    const seq = ++this.#browseSeq;
    this.browsing = true;
    this.browseError = null;
    // No argument at all for the home folder: over the WebSocket an `undefined` would arrive as null.
    const list = (target?: string) => (target === undefined ? this.lab.browseFolder() : this.lab.browseFolder(target));
    try {
      const listing = await list(path);
      if (seq === this.#browseSeq) this.listing = listing;
    } catch (error) {
      if (seq !== this.#browseSeq) return;
      this.browseError = messageOf(error);
      // A typed path that does not exist: show the home folder instead, and say so.
      if (options.fallbackHome && path !== undefined) {
        try {
          const listing = await list();
          if (seq !== this.#browseSeq) return;
          this.listing = listing;
          this.browseError = `${messageOf(error)} Showing your home folder instead.`;
        } catch {
          // The first error says enough.
        }
      }
    } finally {
      if (seq === this.#browseSeq) this.browsing = false;
    }
  }

  closeBrowser(): void {
    this.browserOpen = false;
  }

  /** Fetches the next page of a class's thumbnails (the first page when none is loaded). */
  async loadThumbnails(className: string): Promise<void> {
    const report = this.report;
    if (!report) return;
    const before = this.thumbnails.get(className) ?? { total: null, items: [], next: 0, loading: false, error: null };
    if (before.loading || (before.total !== null && before.next >= before.total)) return;
    this.#setThumbnails(className, { ...before, loading: true, error: null });
    try {
      const page = await this.lab.getThumbnails(report.root, className, before.next, thumbnailPageSize);
      if (this.report !== report) return;
      this.#setThumbnails(className, {
        total: page.total,
        items: [...before.items, ...page.thumbnails],
        next: Math.min(page.total, before.next + thumbnailPageSize),
        loading: false,
        error: null,
      });
    } catch (error) {
      if (this.report !== report) return;
      this.#setThumbnails(className, { ...before, loading: false, error: messageOf(error) });
    }
  }

  #setThumbnails(className: string, value: ClassThumbnails): void {
    this.thumbnails = new Map(this.thumbnails).set(className, value);
  }

  /** Makes the preview grid for the current settings; an answer to an older request is dropped. */
  async refreshPreview(): Promise<void> {
    const report = this.report;
    if (!report || report.images === 0) return;
    // A plain copy: the rune proxy cannot cross Electron's IPC (structured clone).
    const settings = $state.snapshot(this.augment);
    const key = JSON.stringify([report.root, settings, this.previewSize, this.previewSeed]);
    // Coming back to the page: the grid shown is already this one.
    if (key === this.#previewKey && this.preview && !this.previewError) {
      // …and an answer still on its way is for other settings: drop it.
      this.#previewSeq++;
      this.previewLoading = false;
      return;
    }
    const seq = ++this.#previewSeq;
    this.previewLoading = true;
    try {
      const preview = await this.lab.previewAugmentation(
        report.root,
        settings,
        this.previewSize,
        previewCount,
        this.previewSeed,
      );
      if (seq !== this.#previewSeq) return;
      this.preview = preview;
      this.#previewKey = key;
      this.previewError = null;
    } catch (error) {
      if (seq !== this.#previewSeq) return;
      this.previewError = messageOf(error);
    } finally {
      if (seq === this.#previewSeq) this.previewLoading = false;
    }
  }

  /** Another image of the dataset (the engine picks it from the seed) and new random variants. */
  anotherExample(): void {
    this.previewSeed = (this.previewSeed * 48_271 + 7) % 2_147_483_647;
  }

  async loadCache(): Promise<void> {
    try {
      this.cache = { state: 'ready', value: await this.lab.getCacheInfo() };
    } catch (error) {
      this.cache = { state: 'error', message: messageOf(error) };
    }
  }

  /** Deletes the preprocessing cache; refused while training reads it (`CACHE_BUSY`). */
  async clearCache(): Promise<void> {
    this.clearingCache = true;
    this.cacheMessage = null;
    try {
      this.cache = { state: 'ready', value: await this.lab.clearCache() };
      this.cacheMessage = { tone: 'ok', text: 'The cache is cleared; the next training run fills it again.' };
    } catch (error) {
      const busy = codeOf(error) === 'CACHE_BUSY';
      this.cacheMessage = {
        tone: busy ? 'warning' : 'error',
        text: busy ? messageOf(error) : `Could not clear the cache: ${messageOf(error)}`,
      };
      void this.loadCache();
    } finally {
      this.clearingCache = false;
    }
  }
}

/** The app session's one `DatasetState`. */
export const datasetStateFor = onePerSession((app) => new DatasetState(app));
