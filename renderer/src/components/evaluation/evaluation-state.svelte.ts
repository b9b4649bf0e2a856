import type { CheckpointKind, EvalResult, EvalSplit } from '../../../../main/contract';
import { evalKey, pickEvaluation, type EvalKey } from './eval-view';
import { isDisconnected, type LabClient } from '../../lib/lab-client';
import { onePerSession } from '../../lib/session-lived.svelte';
import { messageOf } from '../../lib/message-of';

/** `getRunImages` takes at most this many paths a call. */
const thumbnailsPerCall = 200;

/**
 * The evaluations of the run open on the Runs page: the stored ones (fetched again when
 * `evalUpdated` says one changed), evaluating a checkpoint on demand, the confusion cell chosen
 * and the thumbnails of the images shown.
 */
export class EvaluationState {
  readonly lab: LabClient;

  runId = $state<string | null>(null);
  evaluations = $state.raw<EvalResult[]>([]);
  loaded = $state(false);
  loadError = $state<string | null>(null);
  /** The stored evaluation the user chose to see. */
  wanted = $state<EvalKey | null>(null);
  current: EvalResult | null = $derived(pickEvaluation(this.evaluations, this.wanted));

  /** What the Evaluate button runs. */
  split = $state<EvalSplit>('val');
  checkpoint = $state<CheckpointKind>('best');
  evaluating = $state(false);
  evaluateError = $state<string | null>(null);

  /** Show the matrix row-normalised instead of as counts. */
  normalised = $state(false);
  /** The confusion cell whose images are shown. */
  cell = $state.raw<{ label: number; predicted: number } | null>(null);

  /** Thumbnails by path relative to the dataset root. */
  thumbnails = $state.raw<Record<string, string>>({});
  thumbnailError = $state<string | null>(null);

  #stops: (() => void)[] = [];
  #requested = new Set<string>();
  #loadRequest = 0;

  constructor(lab: LabClient) {
    this.lab = lab;
  }

  /** Subscribes (once). */
  init(): void {
    if (this.#stops.length > 0) return;
    this.#stops.push(
      this.lab.on('evalUpdated', (event) => {
        if (event.runId === this.runId) void this.load();
      }),
      this.lab.onConnectionChange((state) => {
        if (state === 'connected' && this.runId) void this.load();
      }),
    );
  }

  dispose(): void {
    for (const stop of this.#stops.splice(0)) stop();
  }

  /** Shows the evaluations of `runId` (another run starts afresh). */
  open(runId: string): Promise<void> {
    if (runId !== this.runId) {
      this.runId = runId;
      this.evaluations = [];
      this.loaded = false;
      this.loadError = null;
      this.wanted = null;
      this.evaluateError = null;
      this.evaluating = false;
      this.cell = null;
      this.thumbnails = {};
      this.thumbnailError = null;
      this.#requested.clear();
    }
    return this.load();
  }

  close(): void {
    this.runId = null;
    this.evaluations = [];
    this.cell = null;
  }

  async load(): Promise<void> {
    const runId = this.runId;
    if (!runId) return;
    const request = ++this.#loadRequest;
    try {
      const evaluations = await this.lab.getEvaluations(runId);
      if (request !== this.#loadRequest || runId !== this.runId) return;
      this.evaluations = evaluations;
      this.loadError = null;
    } catch (error) {
      if (request !== this.#loadRequest || runId !== this.runId) return;
      if (!isDisconnected(error)) this.loadError = `Could not read the run's evaluations: ${messageOf(error)}`;
    } finally {
      if (request === this.#loadRequest && runId === this.runId) this.loaded = true;
    }
  }

  /** Shows another stored evaluation. */
  show(key: EvalKey): void {
    if (this.current && evalKey(this.current) === key) return;
    this.wanted = key;
    this.cell = null;
  }

  /** Evaluates the chosen checkpoint on the chosen split, then shows the result. */
  async evaluate(): Promise<void> {
    const runId = this.runId;
    if (!runId || this.evaluating) return;
    this.evaluating = true;
    this.evaluateError = null;
    try {
      const result = await this.lab.evaluateRun(runId, this.split, this.checkpoint);
      if (runId !== this.runId) return;
      this.evaluations = [...this.evaluations.filter((e) => evalKey(e) !== evalKey(result)), result];
      this.wanted = evalKey(result);
      this.cell = null;
    } catch (error) {
      if (runId === this.runId) this.evaluateError = messageOf(error);
    } finally {
      if (runId === this.runId) this.evaluating = false;
    }
  }

  /** Shows the images behind a cell; the same cell again hides them. */
  chooseCell(label: number, predicted: number): void {
    this.cell = this.cell?.label === label && this.cell.predicted === predicted ? null : { label, predicted };
  }

  /** Fetches the thumbnails of `paths` not asked for yet. */
  async loadThumbnails(paths: readonly string[]): Promise<void> {
    const runId = this.runId;
    if (!runId) return;
    const wanted = paths.filter((path) => !this.#requested.has(path));
    if (wanted.length === 0) return;
    for (const path of wanted) this.#requested.add(path);
    for (let i = 0; i < wanted.length; i += thumbnailsPerCall) {
      const chunk = wanted.slice(i, i + thumbnailsPerCall);
      try {
        const thumbnails = await this.lab.getRunImages(runId, chunk);
        if (runId !== this.runId) return;
        const next = { ...this.thumbnails };
        for (const thumbnail of thumbnails) next[thumbnail.path] = thumbnail.dataUrl;
        this.thumbnails = next;
        this.thumbnailError = null;
      } catch (error) {
        if (runId !== this.runId) return;
        // Asked again the next time they are shown.
        for (const path of chunk) this.#requested.delete(path);
        if (!isDisconnected(error)) this.thumbnailError = `Could not load the images: ${messageOf(error)}`;
      }
    }
  }
}

/** The app session's one evaluation view (of the run open on the Runs page). */
export const evaluationStateFor = onePerSession((app) => new EvaluationState(app.lab));
