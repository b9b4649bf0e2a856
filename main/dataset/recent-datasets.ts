import { join } from 'node:path';
import { z } from 'zod';
import { loadJsonFile, saveJsonFile } from '../fs/json-file';

export const recentDatasetSchema = z.object({
  path: z.string(),
  name: z.string(),
  classes: z.number().int().nonnegative(),
  images: z.number().int().nonnegative(),
  problems: z.number().int().nonnegative(),
  /** ISO 8601. */
  openedAt: z.string(),
});

export type RecentDatasetEntry = z.infer<typeof recentDatasetSchema>;

const listSchema = z.array(recentDatasetSchema);
export const maxRecentDatasets = 12;

export const recentDatasetsFile = (dataDir: string): string => join(dataDir, 'recent-datasets.json');

/** Newest first, one entry per path, at most `maxRecentDatasets`. Pure. */
export function rememberDataset(list: readonly RecentDatasetEntry[], entry: RecentDatasetEntry): RecentDatasetEntry[] {
  return [entry, ...list.filter((e) => e.path !== entry.path)].slice(0, maxRecentDatasets);
}

export function forgetDataset(list: readonly RecentDatasetEntry[], path: string): RecentDatasetEntry[] {
  return list.filter((e) => e.path !== path);
}

export async function loadRecentDatasets(file: string): Promise<{ list: RecentDatasetEntry[]; warning?: string }> {
  const loaded = await loadJsonFile(file, listSchema, [], 'Recent datasets');
  return { list: loaded.value, ...(loaded.warning ? { warning: loaded.warning } : {}) };
}

export async function saveRecentDatasets(file: string, list: readonly RecentDatasetEntry[]): Promise<void> {
  await saveJsonFile(file, list);
}
