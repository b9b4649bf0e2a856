import type { CheckpointKind } from '../../../../main/contract';
import type { LabClient } from '../../lib/lab-client';
import { messageOf } from '../../lib/message-of';
import { onePerSession } from '../../lib/session-lived.svelte';

/** Exporting a checkpoint of the open run as a tfjs model. */
export class ModelExportState {
  readonly lab: LabClient;

  runId = $state<string | null>(null);
  checkpoint = $state<CheckpointKind>('best');
  /** Empty: the lab's export folder. */
  folder = $state('');
  defaultFolder = $state<string | null>(null);
  exporting = $state(false);
  files = $state.raw<string[]>([]);
  error = $state<string | null>(null);

  constructor(lab: LabClient) {
    this.lab = lab;
  }

  open(runId: string): void {
    if (runId === this.runId) return;
    this.runId = runId;
    this.files = [];
    this.error = null;
    this.exporting = false;
  }

  /** Where exports go unless the user types another folder. */
  async loadTarget(): Promise<void> {
    if (this.defaultFolder) return;
    try {
      this.defaultFolder = (await this.lab.getExportTarget()).folder;
    } catch {
      // The field's placeholder just says "the export folder".
    }
  }

  async export(): Promise<void> {
    const runId = this.runId;
    if (!runId || this.exporting) return;
    this.exporting = true;
    this.error = null;
    this.files = [];
    try {
      const folder = this.folder.trim();
      const result = folder
        ? await this.lab.exportModel(runId, this.checkpoint, folder)
        : await this.lab.exportModel(runId, this.checkpoint);
      if (runId === this.runId) this.files = result.files;
    } catch (error) {
      if (runId === this.runId) this.error = messageOf(error);
    } finally {
      if (runId === this.runId) this.exporting = false;
    }
  }
}

export const modelExportStateFor = onePerSession((app) => new ModelExportState(app.lab));
