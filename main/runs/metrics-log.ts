import { open, readFile, type FileHandle } from 'node:fs/promises';
import { basename, dirname } from 'node:path';
import { z } from 'zod';
import { rethrowDiskFull } from '../fs/disk-full';
import { faultPoint } from '../fs/fault-point';

/** One line of metrics.jsonl: an epoch's metrics, or a sampled batch. */
export const metricsLineSchema = z.discriminatedUnion('type', [
  z.looseObject({
    type: z.literal('epoch'),
    epoch: z.int().nonnegative(),
    time: z.string(),
    loss: z.number().nullable(),
    acc: z.number().nullable(),
    val_loss: z.number().nullable().optional(),
    val_acc: z.number().nullable().optional(),
  }),
  z.looseObject({
    type: z.literal('batch'),
    epoch: z.int().nonnegative(),
    batch: z.int().nonnegative(),
    time: z.string(),
    loss: z.number().nullable(),
    batches: z.int().positive().optional(),
  }),
]);

export type MetricsLine = z.output<typeof metricsLineSchema>;

export interface MetricsRead {
  lines: MetricsLine[];
  /** Lines that could not be read, e.g. a torn last line after a crash: 1-based numbers and why. */
  damaged: { line: number; reason: string }[];
}

/**
 * Appends lines and syncs them. A crash can at worst tear the line being written; the next
 * append first cuts such a fragment off (it cannot be read anyway), so new lines are never glued
 * onto it. Between appends `readMetrics` reports and skips a torn last line.
 */
export async function appendMetrics(file: string, lines: readonly MetricsLine[]): Promise<void> {
  if (lines.length === 0) return;
  try {
    const handle = await open(file, 'a+');
    try {
      await cutTornTail(handle);
      faultPoint(`append ${basename(file)}`);
      await handle.appendFile(lines.map((l) => `${JSON.stringify(l)}\n`).join(''));
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch (error) {
    await rethrowDiskFull(
      error,
      dirname(file),
      basename(file),
      `Lines already in ${basename(file)} are intact. Free some space and try again.`,
    );
  }
}

/** Truncates the file after its last newline, when it does not end with one. */
async function cutTornTail(handle: FileHandle): Promise<void> {
  const { size } = await handle.stat();
  if (size === 0) return;
  const chunk = 64 * 1024;
  let end = size;
  for (;;) {
    const start = Math.max(0, end - chunk);
    const buffer = Buffer.alloc(end - start);
    await handle.read(buffer, 0, buffer.length, start);
    if (end === size && buffer[buffer.length - 1] === 0x0a) return; // intact
    const newline = buffer.lastIndexOf(0x0a);
    if (newline >= 0) return handle.truncate(start + newline + 1);
    if (start === 0) return handle.truncate(0);
    end = start;
  }
}

/** The text of metrics.jsonl holding `lines`. */
export function metricsText(lines: readonly MetricsLine[]): string {
  return lines.map((l) => `${JSON.stringify(l)}\n`).join('');
}

export async function readMetrics(file: string): Promise<MetricsRead> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { lines: [], damaged: [] };
    throw error;
  }
  const lines: MetricsLine[] = [];
  const damaged: MetricsRead['damaged'] = [];
  const rows = text.split('\n');
  rows.forEach((row, index) => {
    if (row.trim() === '') return;
    try {
      const parsed = metricsLineSchema.safeParse(JSON.parse(row));
      if (parsed.success) lines.push(parsed.data);
      else damaged.push({ line: index + 1, reason: parsed.error.issues[0]?.message ?? 'invalid' });
    } catch {
      const last = index === rows.length - 1 || (index === rows.length - 2 && rows[rows.length - 1] === '');
      damaged.push({
        line: index + 1,
        reason: last ? 'torn last line (the run stopped while writing it)' : 'not valid JSON',
      });
    }
  });
  return { lines, damaged };
}
