import { join } from 'node:path';
import { z } from 'zod';
import type { Baseline, BaselineList } from '../contract';
import { baselineSchema } from '../contract-schemas';
import { LabError } from '../errors';
import { loadJsonFile, saveJsonFile } from '../fs/json-file';

/**
 * Baselines: runs pinned under a label ("best result", "last week") that new runs are measured
 * against. They live in one small file, DATA_DIR/baselines.json, not in the runs' run.json, so
 * pinning never rewrites a run's record. A baseline whose run was deleted is unpinned the next
 * time the list is read, with a notice saying so.
 */

const fileSchema = z.object({ formatVersion: z.literal(1), baselines: z.array(baselineSchema) });

export const baselinesFile = (dataDir: string): string => join(dataDir, 'baselines.json');

export interface BaselineStoreOptions {
  dataDir: string;
  /** Whether a run (still) exists; a baseline whose run is gone is unpinned. */
  runExists: (runId: string) => Promise<boolean>;
  /** The run's name, for notices. */
  warn?: (message: string) => void;
}

export interface BaselineStore {
  list(): Promise<BaselineList>;
  pin(runId: string, label: string, now?: Date): Promise<BaselineList>;
  unpin(runId: string): Promise<BaselineList>;
  /** Unpins a run that is being deleted; the notice (if it was pinned) is returned. */
  forget(runId: string): Promise<string | null>;
}

const noticeFor = (baseline: Baseline): string =>
  `Baseline "${baseline.label}" was unpinned: its run ${baseline.runId} no longer exists.`;

/** A label as stored: trimmed, inner whitespace collapsed; empty or too long is refused. */
export function normaliseLabel(label: string): string {
  const clean = label.trim().replace(/\s+/g, ' ');
  if (clean.length === 0)
    throw new LabError('INVALID_ARGUMENT', 'A baseline needs a label, e.g. "best result" or "last week".');
  if (clean.length > 100)
    throw new LabError(
      'INVALID_ARGUMENT',
      `A baseline label has at most 100 characters (this one has ${clean.length}).`,
    );
  return clean;
}

export function createBaselineStore({ dataDir, runExists, warn }: BaselineStoreOptions): BaselineStore {
  const file = baselinesFile(dataDir);
  // Changes in this process go one after another, so two quick pins do not lose one.
  let queue: Promise<unknown> = Promise.resolve();
  const serial = <T>(task: () => Promise<T>): Promise<T> => {
    const next = queue.then(task, task);
    queue = next.catch(() => {});
    return next;
  };

  const read = async (): Promise<Baseline[]> => {
    const loaded = await loadJsonFile(file, fileSchema, { formatVersion: 1, baselines: [] }, 'Baselines');
    if (loaded.warning) warn?.(loaded.warning);
    return loaded.value.baselines;
  };
  const write = (baselines: Baseline[]): Promise<void> => saveJsonFile(file, { formatVersion: 1, baselines });

  /** The stored baselines minus those whose run is gone (written back when any was). */
  const current = async (): Promise<BaselineList> => {
    const stored = await read();
    const kept: Baseline[] = [];
    const notices: string[] = [];
    for (const baseline of stored) {
      if (await runExists(baseline.runId)) kept.push(baseline);
      else notices.push(noticeFor(baseline));
    }
    if (notices.length > 0) {
      await write(kept);
      for (const notice of notices) warn?.(notice);
    }
    return { baselines: kept, notices };
  };

  return {
    list: () => serial(current),
    pin(runId, label, now = new Date()) {
      return serial(async () => {
        const clean = normaliseLabel(label);
        if (!(await runExists(runId))) {
          throw new LabError(
            'RUN_NOT_FOUND',
            `There is no run "${runId}" to pin as a baseline: list runs with "xlab runs".`,
          );
        }
        const { baselines, notices } = await current();
        const next = [
          { runId, label: clean, pinnedAt: now.toISOString() },
          ...baselines.filter((b) => b.runId !== runId),
        ];
        await write(next);
        return { baselines: next, notices };
      });
    },
    unpin(runId) {
      return serial(async () => {
        const { baselines, notices } = await current();
        if (!baselines.some((b) => b.runId === runId)) {
          throw new LabError(
            'NOT_A_BASELINE',
            `Run ${runId} is not pinned as a baseline: "xlab runs" shows which runs are.`,
          );
        }
        const next = baselines.filter((b) => b.runId !== runId);
        await write(next);
        return { baselines: next, notices };
      });
    },
    forget(runId) {
      return serial(async () => {
        const stored = await read();
        const gone = stored.find((b) => b.runId === runId);
        if (!gone) return null;
        await write(stored.filter((b) => b.runId !== runId));
        return noticeFor(gone);
      });
    },
  };
}
