import { join } from 'node:path';
import { z } from 'zod';
import type { RecentDataset } from '../contract';
import { recentDatasetSchema } from '../contract-schemas';
import { loadJsonFile, saveJsonFile } from '../fs/json-file';

export { recentDatasetSchema };
export type RecentDatasetEntry = RecentDataset;

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
