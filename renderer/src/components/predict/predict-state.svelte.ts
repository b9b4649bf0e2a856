import type { CheckpointKind, PredictInput, PredictionResult } from '../../../../main/contract';
import { batchInputs, browserLimits, desktopLimits } from './predict-view';
import type { LabClient } from '../../lib/lab-client';
import { onePerSession } from '../../lib/session-lived.svelte';
import { messageOf } from '../../lib/message-of';

const inputName = (input: PredictInput): string => ('path' in input ? input.path : input.name);

/**
 * Predicting images with a checkpoint of the run open on the Runs page: the files dropped or
 * chosen go to the engine in requests the connection can carry; each file's answer (or why it
 * has none) is kept beside that file.
 */
export class PredictState {
  readonly lab: LabClient;

  runId = $state<string | null>(null);
  checkpoint = $state<CheckpointKind>('best');
  results = $state.raw<PredictionResult[]>([]);
  predicting = $state(false);
  /** Files being read or sent, for the status line. */
  pending = $state(0);

  #request = 0;

  constructor(lab: LabClient) {
    this.lab = lab;
  }

  /** Another run: its own predictions. */
  open(runId: string): void {
    if (runId === this.runId) return;
    this.runId = runId;
    this.results = [];
    this.predicting = false;
    this.pending = 0;
    this.#request++;
  }

  clear(): void {
    this.results = [];
  }

  /**
   * Predicts `inputs`; `failed` are files that could not even be read (shown with the rest).
   * Each request's answers are shown as they arrive.
   */
  async predict(inputs: readonly PredictInput[], failed: readonly PredictionResult[] = []): Promise<void> {
    const runId = this.runId;
    if (!runId) return;
    const request = ++this.#request;
    const { batches, tooBig } = batchInputs(inputs, this.lab.kind === 'browser' ? browserLimits : desktopLimits);
    this.results = [];
    const add = (more: readonly PredictionResult[]): void => {
      if (request === this.#request) this.results = [...this.results, ...more];
    };
    this.predicting = true;
    this.pending = inputs.length;
    try {
      for (const batch of batches) {
        try {
          add(await this.lab.predictImages(runId, batch, this.checkpoint));
        } catch (error) {
          // The whole request failed (no checkpoint, engine busy…): say so beside each of its files.
          const message = messageOf(error);
          add(batch.map((input) => ({ file: inputName(input), error: message })));
        }
        if (request !== this.#request) return;
        this.pending = Math.max(0, this.pending - batch.length);
      }
      add([...tooBig, ...failed]);
    } finally {
      if (request === this.#request) {
        this.predicting = false;
        this.pending = 0;
      }
    }
  }
}

export const predictStateFor = onePerSession((app) => new PredictState(app.lab));
