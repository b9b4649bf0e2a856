import { onePerSession } from './session-lived.svelte';

/**
 * The runs chosen for comparison, in the order they were ticked: the Runs & Compare page's
 * checkboxes and the Report page's run list share this one selection for the app session.
 */
export class RunSelection {
  ids = $state.raw<readonly string[]>([]);
  count = $derived(this.ids.length);

  has(id: string): boolean {
    return this.ids.includes(id);
  }

  /** Adds or removes `id` (new ones go last). */
  toggle(id: string, on = !this.has(id)): void {
    if (on === this.has(id)) return;
    this.ids = on ? [...this.ids, id] : this.ids.filter((x) => x !== id);
  }

  set(ids: readonly string[]): void {
    this.ids = [...new Set(ids)];
  }

  clear(): void {
    if (this.ids.length > 0) this.ids = [];
  }

  /** Forgets runs that are gone (deleted, or no longer listed). */
  keepOnly(existing: ReadonlySet<string>): void {
    if (this.ids.some((id) => !existing.has(id))) this.ids = this.ids.filter((id) => existing.has(id));
  }
}

/** The app session's one selection of runs. */
export const runSelectionFor = onePerSession(() => new RunSelection());
