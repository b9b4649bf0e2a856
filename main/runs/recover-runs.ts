import type { RunStore } from './run-store';

/** At start: runs left `running` by a process that is gone become resumable, each with a warning. */
export async function recoverRuns(runs: RunStore, warn: (message: string) => void): Promise<void> {
  const recovered = await runs.recoverInterrupted((id, error) =>
    warn(
      `Run ${id} was left running by a process that is gone, and could not be recovered yet: ${(error as Error).message}`,
    ),
  );
  for (const id of recovered) {
    warn(`Run ${id} was interrupted (the app stopped while it trained); resume it from its last checkpoint.`);
  }
}
