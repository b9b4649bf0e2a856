import { open, readFile } from 'node:fs/promises';
import { z } from 'zod';

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
 * Appends lines and syncs them: metrics.jsonl only ever grows, so a crash can at worst tear the
 * line being written, which `readMetrics` reports and skips.
 */
export async function appendMetrics(file: string, lines: readonly MetricsLine[]): Promise<void> {
  if (lines.length === 0) return;
  const handle = await open(file, 'a');
  try {
    await handle.appendFile(lines.map((l) => `${JSON.stringify(l)}\n`).join(''));
    await handle.sync();
  } finally {
    await handle.close();
  }
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
      damaged.push({ line: index + 1, reason: last ? 'torn last line (the run stopped while writing it)' : 'not valid JSON' });
    }
  });
  return { lines, damaged };
}
