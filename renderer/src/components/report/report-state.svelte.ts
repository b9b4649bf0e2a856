import type { CompareBasis, DownloadFile, FolderListing, ReportFormat, ReportRequest } from '../../../../main/contract';
import { isDisconnected, type LabClient } from '../../lib/lab-client';
import { onePerSession } from '../../lib/session-lived.svelte';
import { messageOf } from '../../lib/message-of';

/**
 * The Report page: the report's fields (its runs are the shared selection), the live preview,
 * the export folder (typed or browsed) and what the last export wrote. Kept for the app session.
 */
export class ReportState {
  readonly lab: LabClient;

  title = $state('Model comparison');
  author = $state('');
  notes = $state('');
  basis = $state<CompareBasis>('final');

  /** The preview's HTML, for a sandboxed iframe. */
  html = $state<string | null>(null);
  /** The request the preview shows (or failed for), as JSON. */
  previewKey = $state<string | null>(null);
  previewing = $state(false);
  previewError = $state<string | null>(null);

  /** The folder typed; empty means the lab's export folder. */
  folder = $state('');
  defaultFolder = $state<string | null>(null);
  exporting = $state<ReportFormat | null>(null);
  exported = $state.raw<{ format: ReportFormat; files: string[] } | null>(null);
  exportError = $state<string | null>(null);

  /** Browser mode: the format being downloaded, and what the last download gave. */
  downloading = $state<ReportFormat | null>(null);
  downloaded = $state.raw<{ format: ReportFormat; names: string[] } | null>(null);
  downloadError = $state<string | null>(null);

  browserOpen = $state(false);
  listing = $state.raw<FolderListing | null>(null);
  browsing = $state(false);
  browseError = $state<string | null>(null);

  #previewRequest = 0;
  #browseRequest = 0;

  constructor(lab: LabClient) {
    this.lab = lab;
  }

  async loadTarget(): Promise<void> {
    if (this.defaultFolder) return;
    try {
      this.defaultFolder = (await this.lab.getExportTarget()).folder;
    } catch (error) {
      if (!isDisconnected(error)) this.exportError = `Could not find the export folder: ${messageOf(error)}`;
    }
  }

  /** Renders `request` for the preview; an answer to an older request is dropped. */
  async preview(request: ReportRequest, key: string): Promise<void> {
    const seq = ++this.#previewRequest;
    this.previewing = true;
    try {
      const { html } = await this.lab.renderReport(request);
      if (seq !== this.#previewRequest) return;
      this.html = html;
      this.previewError = null;
    } catch (error) {
      if (seq !== this.#previewRequest) return;
      this.previewError = `The preview could not be made: ${messageOf(error)}`;
    } finally {
      if (seq === this.#previewRequest) {
        this.previewing = false;
        this.previewKey = key;
      }
    }
  }

  /** No runs chosen: nothing to preview. */
  clearPreview(): void {
    this.#previewRequest++;
    this.html = null;
    this.previewKey = null;
    this.previewError = null;
    this.previewing = false;
  }

  async export(request: ReportRequest, format: ReportFormat): Promise<void> {
    if (this.exporting) return;
    this.exporting = format;
    this.exportError = null;
    this.exported = null;
    try {
      const folder = this.folder.trim();
      const { files } = folder
        ? await this.lab.exportReport(request, format, folder)
        : await this.lab.exportReport(request, format);
      this.exported = { format, files };
    } catch (error) {
      this.exportError = messageOf(error);
    } finally {
      this.exporting = null;
    }
  }

  /** Makes the report's files in memory and hands them to `save` (the browser's downloads). */
  async download(request: ReportRequest, format: ReportFormat, save: (files: DownloadFile[]) => void): Promise<void> {
    if (this.downloading) return;
    this.downloading = format;
    this.downloadError = null;
    this.downloaded = null;
    try {
      const { files } = await this.lab.downloadReport(request, format);
      save(files);
      this.downloaded = { format, names: files.map((file) => file.name) };
    } catch (error) {
      this.downloadError = messageOf(error);
    } finally {
      this.downloading = null;
    }
  }

  /** Opens the folder browser at the typed folder, else at the export folder. */
  openBrowser(): Promise<void> {
    return this.browse(this.folder.trim() || this.defaultFolder || undefined);
  }

  /** Lists `path` (the home folder when undefined); a folder that cannot be listed falls back to home. */
  async browse(path?: string): Promise<void> {
    this.browserOpen = true;
    this.browsing = true;
    this.browseError = null;
    const seq = ++this.#browseRequest;
    try {
      const listing = path === undefined ? await this.lab.browseFolder() : await this.lab.browseFolder(path);
      if (seq === this.#browseRequest) this.listing = listing;
    } catch (error) {
      if (seq !== this.#browseRequest) return;
      this.browseError = messageOf(error);
      if (path !== undefined && !this.listing) {
        try {
          const home = await this.lab.browseFolder();
          if (seq === this.#browseRequest) {
            this.listing = home;
            this.browseError = `${messageOf(error)} Showing your home folder instead.`;
          }
        } catch {
          // The first error says enough.
        }
      }
    } finally {
      if (seq === this.#browseRequest) this.browsing = false;
    }
  }

  closeBrowser(): void {
    this.browserOpen = false;
    this.#browseRequest++;
    this.browsing = false;
  }

  useFolder(path: string): void {
    this.folder = path;
    this.closeBrowser();
  }
}

/** The app session's one Report page state. */
export const reportStateFor = onePerSession((app) => new ReportState(app.lab));
