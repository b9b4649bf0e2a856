import type { LabEvents, RunDetails, RunListEntry } from '../../../../main/contract';
import { applyRunUpdate, nextSort, sortRows, toRow, type SortDirection, type SortKey } from './runs-table';
import { isDisconnected, type LabClient } from '../../lib/lab-client';
import { messageOf } from '../../lib/message-of';
import { onePerSession } from '../../lib/session-lived.svelte';

/**
 * The Runs page: every run, sorted, kept current by `runUpdated`; rename, delete (after a
 * confirmation the page asks for), resume, and one run's details.
 */
export class RunsState {
  readonly lab: LabClient;

  entries = $state.raw<RunListEntry[]>([]);
  loaded = $state(false);
  loadError = $state<string | null>(null);
  sort = $state.raw<{ key: SortKey; direction: SortDirection }>({ key: 'created', direction: 'descending' });
  rows = $derived(sortRows(this.entries.map(toRow), this.sort.key, this.sort.direction));

  /** Per run: the last action that failed on it. */
  rowErrors = $state.raw<Record<string, string>>({});
  /** Runs with a call under way. */
  busy = $state.raw<ReadonlySet<string>>(new Set());

  selectedId = $state<string | null>(null);
  details = $state.raw<RunDetails | null>(null);
  detailsError = $state<string | null>(null);

  #stops: (() => void)[] = [];
  #detailsTimer: ReturnType<typeof setTimeout> | undefined;
  #detailsRequest = 0;

  constructor(lab: LabClient) {
    this.lab = lab;
  }

  /** Subscribes (once) and loads the list. */
  init(): Promise<void> {
    if (this.#stops.length === 0) {
      this.#stops.push(
        this.lab.on('runUpdated', (event) => this.applyUpdate(event)),
        this.lab.onConnectionChange((state) => {
          if (state === 'connected') void this.load();
        }),
      );
    }
    return this.load();
  }

  dispose(): void {
    for (const stop of this.#stops.splice(0)) stop();
    clearTimeout(this.#detailsTimer);
  }

  async load(): Promise<void> {
    try {
      const listed = await this.lab.listRuns();
      // Updates that arrived while the request was under way are newer than the list.
      let entries = listed;
      for (const entry of this.entries)
        if ('run' in entry) entries = applyRunUpdate(entries, { runId: entry.id, run: entry.run });
      this.entries = entries.filter((entry) => listed.some((l) => l.id === entry.id));
      this.loadError = null;
    } catch (error) {
      if (!isDisconnected(error)) this.loadError = `Could not list the runs: ${messageOf(error)}`;
    } finally {
      this.loaded = true;
    }
  }

  applyUpdate(event: LabEvents['runUpdated']): void {
    this.entries = applyRunUpdate(this.entries, event);
    if (event.runId !== this.selectedId) return;
    if (event.deleted) this.close();
    else {
      // A training run updates every epoch: fetch its details at most twice a second.
      clearTimeout(this.#detailsTimer);
      this.#detailsTimer = setTimeout(() => void this.#fetchDetails(event.runId), 500);
    }
  }

  sortBy(key: SortKey): void {
    this.sort = nextSort(this.sort, key);
  }

  #setBusy(id: string, on: boolean): void {
    const next = new Set(this.busy);
    if (on) next.add(id);
    else next.delete(id);
    this.busy = next;
  }

  #setRowError(id: string, message: string | null): void {
    const { [id]: _old, ...rest } = this.rowErrors;
    this.rowErrors = message ? { ...rest, [id]: message } : rest;
  }

  /** Renames; resolves false (with the reason in `rowErrors`) when the engine refuses. */
  async rename(id: string, name: string): Promise<boolean> {
    this.#setBusy(id, true);
    this.#setRowError(id, null);
    try {
      const run = await this.lab.renameRun(id, name);
      this.applyUpdate({ runId: id, run });
      return true;
    } catch (error) {
      this.#setRowError(id, `Could not rename: ${messageOf(error)}`);
      return false;
    } finally {
      this.#setBusy(id, false);
    }
  }

  /** Deletes (the page has asked first); the engine's refusal is returned for the dialog to show. */
  async remove(id: string): Promise<string | null> {
    this.#setBusy(id, true);
    try {
      await this.lab.deleteRun(id);
      this.applyUpdate({ runId: id, deleted: true });
      this.#setRowError(id, null);
      return null;
    } catch (error) {
      return messageOf(error);
    } finally {
      this.#setBusy(id, false);
    }
  }

  async resume(id: string): Promise<boolean> {
    this.#setBusy(id, true);
    this.#setRowError(id, null);
    try {
      const run = await this.lab.resumeRun(id);
      this.applyUpdate({ runId: id, run });
      return true;
    } catch (error) {
      this.#setRowError(id, `Could not resume: ${messageOf(error)}`);
      return false;
    } finally {
      this.#setBusy(id, false);
    }
  }

  async open(id: string): Promise<void> {
    this.selectedId = id;
    this.details = null;
    this.detailsError = null;
    await this.#fetchDetails(id);
  }

  close(): void {
    clearTimeout(this.#detailsTimer);
    this.selectedId = null;
    this.details = null;
    this.detailsError = null;
  }

  async #fetchDetails(id: string): Promise<void> {
    const request = ++this.#detailsRequest;
    try {
      const details = await this.lab.getRun(id);
      if (request === this.#detailsRequest && this.selectedId === id) {
        this.details = details;
        this.detailsError = null;
      }
    } catch (error) {
      if (request === this.#detailsRequest && this.selectedId === id)
        this.detailsError = `Could not read run ${id}: ${messageOf(error)}`;
    }
  }
}

/** The app session's one Runs page state. */
export const runsStateFor = onePerSession((app) => new RunsState(app.lab));
