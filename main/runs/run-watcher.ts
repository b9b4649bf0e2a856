/**
 * Runs trained by another process (the CLI, a second app) shown live in this one. The owning
 * process already writes everything down: run.json on every change, metrics.jsonl a line per
 * sampled batch and per epoch. This process polls the runs folder — run.json's mtime, and
 * metrics.jsonl's size for runs in training — and turns what changed into the same
 * `runUpdated` / `trainProgress` / `trainEpoch` events its own training emits. Polling, not
 * fs.watch: recursive watching is not available on Linux with Node 20, and watch events are
 * unreliable on network and container file systems; one stat per run a second is cheap.
 *
 * The run this process trains itself (`isLocal`) is left to the training service.
 */
import { open, readdir, stat } from 'node:fs/promises';
import type { LabEvents } from '../contract';
import { metricsLineSchema } from './metrics-log';
import { isRunId } from './run-record';
import type { RunStore } from './run-store';

export interface RunWatcherOptions {
  runs: RunStore;
  emit: <E extends keyof LabEvents>(event: E, payload: LabEvents[E]) => void;
  /** True for the run this process trains (its service emits those events itself). */
  isLocal: (runId: string) => boolean;
  intervalMs?: number;
}

interface Seen {
  recordMtimeMs: number;
  status: string;
  epochs: number;
  /** Bytes of metrics.jsonl already turned into events. */
  metricsOffset: number;
}

export interface RunWatcher {
  /** One poll now (the timer calls it every `intervalMs`). */
  poll(): Promise<void>;
  close(): void;
}

export function watchRuns(options: RunWatcherOptions): RunWatcher {
  const { runs, emit } = options;
  const seen = new Map<string, Seen>();
  let first = true;
  let polling: Promise<void> | undefined;
  let closed = false;

  async function size(file: string): Promise<number> {
    return stat(file).then(
      (s) => s.size,
      () => 0,
    );
  }

  /** New complete lines of metrics.jsonl since `from`, as events; returns the new offset. */
  async function followMetrics(runId: string, from: number, epochs: number): Promise<number> {
    const file = runs.paths(runId).metrics;
    const end = await size(file);
    if (end < from) return end; // rewritten (recovery): start again from its end
    if (end === from) return from;
    const handle = await open(file, 'r');
    let text: string;
    try {
      const buffer = Buffer.alloc(end - from);
      await handle.read(buffer, 0, buffer.length, from);
      text = buffer.toString('utf8');
    } finally {
      await handle.close();
    }
    const complete = text.lastIndexOf('\n') + 1; // a line still being written waits for the next poll
    for (const row of text.slice(0, complete).split('\n')) {
      if (!row.trim()) continue;
      let parsed;
      try {
        parsed = metricsLineSchema.safeParse(JSON.parse(row));
      } catch {
        continue;
      }
      if (!parsed.success) continue;
      const line = parsed.data;
      if (line.type === 'epoch') {
        emit('trainEpoch', { runId, metrics: line as LabEvents['trainEpoch']['metrics'] });
      } else if (line.loss !== null) {
        const extra = line as { imagesPerSec?: unknown; etaMs?: unknown; acc?: unknown };
        emit('trainProgress', {
          runId,
          epoch: line.epoch,
          batch: line.batch,
          batchesPerEpoch: line.batches ?? line.batch + 1,
          epochs,
          loss: line.loss,
          acc: typeof extra.acc === 'number' ? extra.acc : null,
          imagesPerSec: typeof extra.imagesPerSec === 'number' ? extra.imagesPerSec : 0,
          etaMs: typeof extra.etaMs === 'number' ? extra.etaMs : 0,
        });
      }
    }
    return from + Buffer.byteLength(text.slice(0, complete));
  }

  async function pollOnce(): Promise<void> {
    const ids = (await readdir(runs.runsDir).catch(() => [] as string[])).filter(isRunId);
    const present = new Set(ids);
    for (const id of ids) {
      if (closed) return;
      const mtime = await stat(runs.paths(id).record).then(
        (s) => s.mtimeMs,
        () => undefined,
      );
      if (mtime === undefined) continue; // being created, or unreadable: listed as it is
      const known = seen.get(id);
      const local = options.isLocal(id);
      // Lines first, then the record: a run that just ended gets its last epoch before its new status.
      if (known?.status === 'running' && !local)
        known.metricsOffset = await followMetrics(id, known.metricsOffset, known.epochs);
      if (known && known.recordMtimeMs === mtime) continue;
      const run = await runs.get(id).catch(() => undefined);
      if (!run) continue;
      const startsNow = run.status === 'running' && known?.status !== 'running';
      // A run that appeared while this lab was open streams from its first line (its first epoch
      // may be committed before the first poll sees it); one already there at start, or resumed,
      // from where its file ends now (its earlier history is read with the run).
      const offset =
        !known && !first ? 0 : !known || startsNow ? await size(runs.paths(id).metrics) : known.metricsOffset;
      if (!first && !local) emit('runUpdated', { runId: id, run });
      seen.set(id, { recordMtimeMs: mtime, status: run.status, epochs: run.epochs, metricsOffset: offset });
    }
    for (const id of [...seen.keys()]) {
      if (present.has(id)) continue;
      seen.delete(id);
      if (!options.isLocal(id)) emit('runUpdated', { runId: id, deleted: true });
    }
    first = false;
  }

  const poll = (): Promise<void> => (polling ??= pollOnce().finally(() => (polling = undefined)));
  const timer = setInterval(() => void poll().catch(() => {}), options.intervalMs ?? 1000);
  timer.unref(); // never keeps a finished command alive
  void poll().catch(() => {});

  return {
    poll,
    close() {
      closed = true;
      clearInterval(timer);
    },
  };
}
