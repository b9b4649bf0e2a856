import { readFile, rename } from 'node:fs/promises';
import type { z } from 'zod';
import { LabError } from '../errors';
import { writeFileAtomic } from './atomic-write';

export interface LoadedJson<T> {
  value: T;
  /** Set when the file was unreadable and was moved aside (never silently overwritten). */
  warning?: string;
}

/**
 * Reads a JSON file the lab owns. Missing → `fallback`. A file that is not valid JSON or does
 * not match `schema` is renamed to `<file>.corrupt-<time>` and `fallback` is used, with a
 * warning naming both files, so what the user had is never overwritten.
 */
export async function loadJsonFile<S extends z.ZodType>(
  file: string,
  schema: S,
  fallback: z.infer<S>,
  what: string,
): Promise<LoadedJson<z.infer<S>>> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { value: fallback };
    throw new LabError('FILE_UNREADABLE', `Cannot read ${file}: ${(error as Error).message}. Check its permissions.`);
  }
  let problem: string;
  try {
    const parsed = schema.safeParse(JSON.parse(text));
    if (parsed.success) return { value: parsed.data };
    const issue = parsed.error.issues[0];
    problem = `field "${issue?.path.join('.') ?? '?'}": ${issue?.message ?? 'invalid'}`;
  } catch (error) {
    problem = `not valid JSON (${(error as Error).message})`;
  }
  const aside = `${file}.corrupt-${new Date().toISOString().replace(/[:.]/g, '-')}`;
  await rename(file, aside);
  return {
    value: fallback,
    warning: `${what} file ${file} was ${problem}; it was kept as ${aside} and defaults are used.`,
  };
}

export async function saveJsonFile(file: string, value: unknown): Promise<void> {
  await writeFileAtomic(file, `${JSON.stringify(value, null, 2)}\n`);
}
