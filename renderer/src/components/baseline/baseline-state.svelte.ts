import type { Baseline, BaselineList, EpochSummary } from '../../../../main/contract';
import { isDisconnected, type LabClient } from '../../lib/lab-client';
import { messageOf } from '../../lib/message-of';
import { onePerSession } from '../../lib/session-lived.svelte';

/**
 * The pinned baselines and the one new runs are measured against right now (Compare's Δ
 * columns, the live view's dashed curves, the report's section). The choice is shared by those
 * pages for the app session; it starts at the most recently pinned baseline.
 */
export class BaselineState {
  readonly lab: LabClient;

  baselines = $state.raw<readonly Baseline[]>([]);
  /** Baselines unpinned because their run was deleted, shown once. */
  notices = $state.raw<readonly string[]>([]);
  /** The chosen baseline's run id; `null`: measure against none. */
  chosenId = $state<string | null>(null);
  chosen = $derived(this.baselines.find((b) => b.runId === this.chosenId) ?? null);
  /** The chosen baseline's epochs, for the live view's curves (empty until read). */
  epochs = $state.raw<readonly EpochSummary[]>([]);
  error = $state<string | null>(null);
  busy = $state(false);

  #picked = false;
  #stops: (() => void)[] = [];
  #epochsOf: string | null = null;

  constructor(lab: LabClient) {
    this.lab = lab;
  }

  /** Subscribes (once) and reads the list. */
  init(): Promise<void> {
    if (this.#stops.length === 0) {
      this.#stops.push(
        this.lab.on('runUpdated', (event) => {
          const gone = event.deleted ? this.baselines.find((b) => b.runId === event.runId) : undefined;
          if (!gone) return;
          // The engine unpinned it when it deleted the run; say so here too.
          this.notices = [...this.notices, `Baseline "${gone.label}" was unpinned: its run was deleted.`];
          void this.load();
        }),
        this.lab.onConnectionChange((state) => {
          if (state === 'connected') void this.load();
        }),
      );
    }
    return this.load();
  }

  dispose(): void {
    for (const stop of this.#stops.splice(0)) stop();
  }

  pinnedLabel(runId: string): string | null {
    return this.baselines.find((b) => b.runId === runId)?.label ?? null;
  }

  async load(): Promise<void> {
    await this.#apply(() => this.lab.listBaselines());
  }

  async pin(runId: string, label: string): Promise<boolean> {
    const ok = await this.#apply(() => this.lab.pinBaseline(runId, label));
    if (ok) this.choose(runId);
    return ok;
  }

  async unpin(runId: string): Promise<boolean> {
    return this.#apply(() => this.lab.unpinBaseline(runId));
  }

  /** Measures against `runId` from now on (`null`: against none). */
  choose(runId: string | null): void {
    this.#picked = true;
    this.chosenId = runId;
    void this.#loadEpochs();
  }

  dismissNotices(): void {
    this.notices = [];
  }

  async #apply(call: () => Promise<BaselineList>): Promise<boolean> {
    this.busy = true;
    try {
      const list = await call();
      this.baselines = list.baselines;
      if (list.notices.length > 0) this.notices = [...this.notices, ...list.notices];
      // A chosen baseline that was unpinned (or none chosen yet): the most recent one.
      if (!this.#picked || (this.chosenId !== null && !list.baselines.some((b) => b.runId === this.chosenId))) {
        this.chosenId = list.baselines[0]?.runId ?? null;
      }
      this.error = null;
      await this.#loadEpochs();
      return true;
    } catch (error) {
      if (!isDisconnected(error)) this.error = messageOf(error);
      return false;
    } finally {
      this.busy = false;
    }
  }

  async #loadEpochs(): Promise<void> {
    const id = this.chosenId;
    if (id === this.#epochsOf) return;
    this.#epochsOf = id;
    if (id === null) {
      this.epochs = [];
      return;
    }
    try {
      const details = await this.lab.getRun(id);
      if (this.chosenId !== id) return;
      this.epochs = details.metrics
        .filter((line) => line.type === 'epoch')
        .map((line) => ({
          epoch: line.epoch,
          loss: line.loss,
          acc: line.acc,
          val_loss: line.val_loss ?? null,
          val_acc: line.val_acc ?? null,
        }));
    } catch (error) {
      this.#epochsOf = null;
      if (this.chosenId === id) this.epochs = [];
      if (!isDisconnected(error)) this.error = `Could not read the baseline's curves: ${messageOf(error)}`;
    }
  }
}

/** The app session's baselines. */
export const baselineStateFor = onePerSession((app) => new BaselineState(app.lab));
