import type { BaselineDelta, CompareBasis, CompareRow, Comparison } from '../../../../main/contract';
import { baselineDeltas } from '../../../../main/reports/baseline-delta';
import { nextCompareSort, sortCompareRows, type CompareSort, type CompareSortKey } from './compare-view';
import { isDisconnected, type LabClient } from '../../lib/lab-client';
import { onePerSession } from '../../lib/session-lived.svelte';
import { messageOf } from '../../lib/message-of';

/**
 * The comparison of the selected runs: the table (final or best epoch, sorted by any column),
 * the curves, the config diff and the fairness warnings. The page calls `load` whenever the
 * selection changes; a run of the selection that changes (an epoch ends, it is renamed) is
 * compared again, at most once a second.
 */
export class CompareState {
  readonly lab: LabClient;

  basis = $state<CompareBasis>('final');
  comparison = $state.raw<Comparison | null>(null);
  loading = $state(false);
  error = $state<string | null>(null);
  sort = $state.raw<CompareSort>(null);
  rows = $derived(this.comparison ? sortCompareRows(this.comparison.rows, this.sort) : []);
  /** The baseline the rows are measured against: its run id and its own row (same basis). */
  baselineId = $state<string | null>(null);
  baselineRow = $state.raw<CompareRow | null>(null);
  /** Each compared run minus the baseline, by run id; `null` without a baseline. */
  deltas = $derived.by((): ReadonlyMap<string, BaselineDelta> | null => {
    if (!this.comparison || !this.baselineRow) return null;
    return new Map(baselineDeltas(this.comparison.rows, this.baselineRow).map((d) => [d.runId, d]));
  });

  #ids: readonly string[] = [];
  #request = 0;
  #baselineRequest = 0;
  #stops: (() => void)[] = [];
  #timer: ReturnType<typeof setTimeout> | undefined;

  constructor(lab: LabClient) {
    this.lab = lab;
  }

  /** Subscribes (once) to the runs' changes. */
  init(): void {
    if (this.#stops.length > 0) return;
    this.#stops.push(
      this.lab.on('runUpdated', (event) => {
        if (!this.#ids.includes(event.runId) || event.deleted) return;
        clearTimeout(this.#timer);
        this.#timer = setTimeout(() => void this.load(this.#ids), 1000);
      }),
      this.lab.onConnectionChange((state) => {
        if (state === 'connected' && this.#ids.length > 0) void this.load(this.#ids);
      }),
    );
  }

  dispose(): void {
    for (const stop of this.#stops.splice(0)) stop();
    clearTimeout(this.#timer);
  }

  /** Compares `ids` (nothing to compare: no comparison); an answer to an older request is dropped. */
  async load(ids: readonly string[]): Promise<void> {
    this.#ids = [...ids];
    const request = ++this.#request;
    if (ids.length === 0) {
      this.comparison = null;
      this.error = null;
      this.loading = false;
      return;
    }
    this.loading = true;
    try {
      const comparison = await this.lab.compareRuns([...ids], this.basis);
      if (request !== this.#request) return;
      this.comparison = comparison;
      this.error = null;
    } catch (error) {
      if (request !== this.#request) return;
      if (!isDisconnected(error)) this.error = `Could not compare the runs: ${messageOf(error)}`;
    } finally {
      if (request === this.#request) this.loading = false;
    }
  }

  setBasis(basis: CompareBasis): void {
    if (basis === this.basis) return;
    this.basis = basis;
    void this.load(this.#ids);
    void this.#loadBaseline();
  }

  /** Measures the compared runs against this baseline run (`null`: none). */
  setBaseline(runId: string | null): void {
    if (runId === this.baselineId) return;
    this.baselineId = runId;
    void this.#loadBaseline();
  }

  async #loadBaseline(): Promise<void> {
    const request = ++this.#baselineRequest;
    const id = this.baselineId;
    if (id === null) {
      this.baselineRow = null;
      return;
    }
    try {
      const comparison = await this.lab.compareRuns([id], this.basis);
      if (request !== this.#baselineRequest) return;
      this.baselineRow = comparison.rows[0] ?? null;
      if (!this.baselineRow) this.error = `The baseline run could not be read: ${comparison.problems.join(' ')}`;
    } catch (error) {
      if (request !== this.#baselineRequest) return;
      this.baselineRow = null;
      if (!isDisconnected(error)) this.error = `Could not read the baseline: ${messageOf(error)}`;
    }
  }

  sortBy(key: CompareSortKey): void {
    this.sort = nextCompareSort(this.sort, key);
  }

  /** Back to the order the runs were selected in. */
  unsort(): void {
    this.sort = null;
  }
}

/** The app session's one comparison. */
export const compareStateFor = onePerSession((app) => new CompareState(app.lab));
