/**
 * eval.json: a run's evaluations, one per split + checkpoint, written atomically. A damaged
 * file is moved aside (never overwritten) and reads as no evaluations.
 */
import { join } from 'node:path';
import { z } from 'zod';
import type { EvalResult } from '../contract';
import { writeFileAtomic } from '../fs/atomic-write';
import { loadJsonFile } from '../fs/json-file';

export const evalFileName = 'eval.json';

const evalFileSchema = z.object({
  formatVersion: z.literal(1),
  // Results are written by this module only; their fields are checked loosely here.
  results: z.array(
    z.looseObject({ runId: z.string(), split: z.enum(['val', 'test']), checkpoint: z.enum(['best', 'last']) }),
  ),
});

export interface EvalRead {
  results: EvalResult[];
  /** Set when eval.json was damaged and moved aside. */
  warning?: string;
}

/** The stored evaluations of the run in `runDir`, val before test, best before last. */
export async function readEvaluations(runDir: string): Promise<EvalRead> {
  const loaded = await loadJsonFile(
    join(runDir, evalFileName),
    evalFileSchema,
    { formatVersion: 1, results: [] },
    'evaluations',
  );
  const results = (loaded.value.results as unknown as EvalResult[]).slice().sort(byKey);
  return { results, ...(loaded.warning ? { warning: loaded.warning } : {}) };
}

/** Writes in progress per run folder: each read-modify-write waits for the one before. */
const writing = new Map<string, Promise<unknown>>();

/**
 * Stores `result`, replacing the earlier result of the same split + checkpoint only. Writes to
 * one run are serialised, so two evaluations finishing together both stay. Returns the warning
 * when a damaged eval.json was moved aside.
 */
export async function writeEvaluation(runDir: string, result: EvalResult): Promise<{ warning?: string }> {
  const write = async (): Promise<{ warning?: string }> => {
    const { results, warning } = await readEvaluations(runDir);
    const kept = results.filter((r) => r.split !== result.split || r.checkpoint !== result.checkpoint);
    await writeFileAtomic(
      join(runDir, evalFileName),
      `${JSON.stringify({ formatVersion: 1, results: [...kept, result].sort(byKey) })}\n`,
    );
    return warning ? { warning } : {};
  };
  const next = (writing.get(runDir) ?? Promise.resolve()).then(write, write);
  const settled = next.catch(() => {});
  writing.set(runDir, settled);
  void settled.then(() => {
    if (writing.get(runDir) === settled) writing.delete(runDir);
  });
  return next;
}

const order = (r: Pick<EvalResult, 'split' | 'checkpoint'>): number =>
  (r.split === 'val' ? 0 : 2) + (r.checkpoint === 'best' ? 0 : 1);
const byKey = (a: EvalResult, b: EvalResult): number => order(a) - order(b);
