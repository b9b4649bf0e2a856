/**
 * Recovery: brings a run's derived files back to what its last checkpoint committed
 * (`epoch-commit.ts`). metrics.jsonl keeps the batch lines of committed epochs and exactly one
 * line per committed epoch (the committed one); run.json's epoch count, last and best follow the
 * checkpoint; a best checkpoint the crash did not get to write is copied from the last one;
 * half-replaced checkpoint folders and stray temp files are cleaned up. Run only by the process
 * holding the run's lock (or when its holder is gone).
 */
import { readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { atomicTempPattern, writeFileAtomic } from '../fs/atomic-write';
import { recoverDir, writeDirAtomic } from './checkpoint-dir';
import { readCommitted, type CommittedRead, type EpochLine } from './epoch-commit';
import { metricsLineSchema, type MetricsLine } from './metrics-log';
import type { EpochSummary, RunRecord } from './run-record';
import type { RunPaths } from './run-paths';

export interface Reconciled {
  /** Epochs committed by the last checkpoint (0 when there is none). */
  epochsDone: number;
  committed?: CommittedRead;
  /** The run.json fields that follow from the checkpoint. */
  patch: Pick<RunRecord, 'epochsDone' | 'last' | 'best'>;
  /** What was repaired, for the run's log (empty when everything agreed). */
  repairs: string[];
}

export async function reconcileRun(paths: RunPaths, record: RunRecord): Promise<Reconciled> {
  const repairs: string[] = [];
  const removed = await removeStrayFiles(paths.dir);
  if (removed.length > 0) repairs.push(`removed ${removed.length} leftover temporary file(s)`);
  for (const dir of [paths.checkpoints.last, paths.checkpoints.best]) {
    if ((await recoverDir(dir)) === 'restored') repairs.push(`restored ${dir} from before an interrupted save`);
  }
  const committed = await readCommitted(paths.checkpoints.last);
  const epochsDone = committed?.epochsDone ?? 0;
  const history = committed?.history;

  if (history && committed?.best && committed.best.epoch === epochsDone - 1) {
    const best = await readCommitted(paths.checkpoints.best).catch(() => undefined);
    if (best?.epochsDone !== epochsDone) {
      // Not fatal (e.g. still no room for it): the next reconcile tries again, and the rest of
      // the run's record does not depend on it.
      await copyCheckpoint(paths.checkpoints.last, paths.checkpoints.best).then(
        () => repairs.push(`saved the best checkpoint (epoch ${epochsDone}) that an interruption had cut short`),
        (error: unknown) =>
          repairs.push(`could not yet save the best checkpoint of epoch ${epochsDone}: ${(error as Error).message}`),
      );
    }
  }

  const text = await readFile(paths.metrics, 'utf8').catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return '';
    throw error;
  });
  const rows = parseRows(text);
  const kept = history ? committedRows(rows, history) : legacyRows(rows, epochsDone);
  const wanted = kept.map((row) => `${row}\n`).join('');
  if (wanted !== text) {
    await writeFileAtomic(paths.metrics, wanted);
    repairs.push(`metrics.jsonl rewritten to hold exactly the ${epochsDone} committed epoch(s)`);
  }

  const lines = kept.map((row) => JSON.parse(row) as MetricsLine);
  const epochLines = lines.filter((l): l is EpochLine => l.type === 'epoch');
  const lastLine = epochLines.find((l) => l.epoch === epochsDone - 1);
  const bestEpoch = history
    ? committed?.best?.epoch
    : record.best && record.best.epoch < epochsDone
      ? record.best.epoch
      : undefined;
  const bestLine = bestEpoch === undefined ? undefined : epochLines.find((l) => l.epoch === bestEpoch);
  const patch = {
    epochsDone,
    last: lastLine ? summary(lastLine) : undefined,
    best: bestLine
      ? summary(bestLine)
      : history
        ? undefined
        : record.best && record.best.epoch < epochsDone
          ? record.best
          : undefined,
  };
  if (record.epochsDone !== epochsDone)
    repairs.push(`run.json said ${record.epochsDone} epoch(s) done; the checkpoint has ${epochsDone}`);
  return { epochsDone, ...(committed ? { committed } : {}), patch, repairs };
}

function summary(line: EpochLine): EpochSummary {
  return {
    epoch: line.epoch,
    loss: line.loss,
    acc: line.acc,
    val_loss: line.val_loss ?? null,
    val_acc: line.val_acc ?? null,
  };
}

interface Row {
  text: string;
  line: MetricsLine;
}

/** The readable lines of metrics.jsonl, with their text as written (torn or invalid lines dropped). */
function parseRows(text: string): Row[] {
  return text.split('\n').flatMap((row) => {
    if (row.trim() === '') return [];
    try {
      const parsed = metricsLineSchema.safeParse(JSON.parse(row));
      return parsed.success ? [{ text: row, line: parsed.data }] : [];
    } catch {
      return [];
    }
  });
}

/** Each committed epoch: its batch lines as written, then its committed epoch line. */
function committedRows(rows: Row[], history: readonly EpochLine[]): string[] {
  const out: string[] = [];
  for (const committed of history) {
    const epoch = committed.epoch;
    out.push(...rows.filter((r) => r.line.type === 'batch' && r.line.epoch === epoch).map((r) => r.text));
    const written = rows.find(
      (r) => r.line.type === 'epoch' && r.line.epoch === epoch && canonical(r.line) === canonical(committed),
    );
    out.push(written ? written.text : JSON.stringify(committed));
  }
  return out;
}

/** A checkpoint older than epoch.json: lines of committed epochs, one (the last written) per epoch. */
function legacyRows(rows: Row[], epochsDone: number): string[] {
  const lastEpochRow = new Map<number, Row>();
  for (const r of rows) if (r.line.type === 'epoch') lastEpochRow.set(r.line.epoch, r);
  return rows
    .filter((r) => r.line.epoch < epochsDone && (r.line.type === 'batch' || lastEpochRow.get(r.line.epoch) === r))
    .map((r) => r.text);
}

/** JSON with sorted keys: the same line whatever order its fields were written in. */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : 1)))
      : v,
  );
}

async function copyCheckpoint(from: string, to: string): Promise<void> {
  const files: Record<string, Uint8Array> = {};
  for (const name of await readdir(from)) files[name] = await readFile(join(from, name));
  await writeDirAtomic(to, files);
}

/** `.run.json.<hex>.tmp` and the like left by a write a crash cut short; stale lock copies. */
async function removeStrayFiles(dir: string): Promise<string[]> {
  const names = await readdir(dir).catch(() => [] as string[]);
  const stray = names.filter((name) => atomicTempPattern.test(name) || /^owner\.json\.stale-[0-9a-f]+$/.test(name));
  for (const name of stray) await rm(join(dir, name), { force: true });
  return stray;
}
