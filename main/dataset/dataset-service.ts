/**
 * The engine's dataset calls: scans with progress and cancel, the recent-datasets list,
 * thumbnails and augmentation previews of scanned images, and the preprocessing cache.
 * Everything here only reads the dataset folder.
 */
import { basename, isAbsolute, resolve } from 'node:path';
import sharp from 'sharp';
import type { CacheInfo, LabApi, LabEvents, RecentDataset, ScanReport, Thumbnail } from '../contract';
import { LabError } from '../errors';
import { parseAugmentSettings, previewAugmentations } from './image/augment';
import { cacheSize, clearCache, imageCacheRoot } from './pipeline/cache';
import { toIndex, type DatasetIndex } from './pipeline/dataset-index';
import {
  forgetDataset,
  loadRecentDatasets,
  recentDatasetsFile,
  rememberDataset,
  saveRecentDatasets,
} from './recent-datasets';
import { scanDatasetImages, type ScannedDataset } from './scan/scan';

export interface DatasetServiceOptions {
  dataDir: string;
  emit: <E extends keyof LabEvents>(event: E, payload: LabEvents[E]) => void;
  warn: (message: string) => void;
}

/** Scanned datasets kept for thumbnails and previews (the most recent few). */
const keptScans = 4;
const thumbnailSize = 96;

export interface DatasetService {
  scan(path: string, scanId: string): Promise<ScanReport>;
  cancel(scanId: string): Promise<void>;
  recent(): Promise<RecentDataset[]>;
  forget(path: string): Promise<RecentDataset[]>;
  thumbnails: LabApi['getThumbnails'];
  preview: LabApi['previewAugmentation'];
  cacheInfo(): Promise<CacheInfo>;
  clearCache(): Promise<CacheInfo>;
  /** What training needs: a quick (header-level) scan's usable images and fingerprint. */
  index(path: string): Promise<DatasetIndex>;
}

/** An image file as a square PNG thumbnail (cropped to fill) in a data URL; `undefined` when it cannot be decoded. */
export async function thumbnailDataUrl(path: string): Promise<string | undefined> {
  const png = await sharp(path, { failOn: 'none', pages: 1 })
    .rotate()
    .resize(thumbnailSize, thumbnailSize, { fit: 'cover' })
    .flatten({ background: '#ffffff' })
    .png()
    .toBuffer()
    .catch(() => undefined);
  return png ? `data:image/png;base64,${png.toString('base64')}` : undefined;
}

/**
 * Folders from a front end must be absolute: in browser mode a relative path would silently
 * resolve against the server's working folder. (The CLI resolves its arguments first.)
 */
/**
 * Refuses a relative path: it would be resolved against the engine's working folder, which the
 * user never chose. `field` names the argument in the message (e.g. `root`).
 */
export function requireAbsolute(path: string, field?: string): void {
  if (!isAbsolute(path)) {
    const what = field ? `${field}: ` : '';
    throw new LabError(
      'BAD_PATH',
      `${what}"${path}" is not an absolute folder path: start it with / (or a drive letter on Windows).`,
    );
  }
}

export function createDatasetService(options: DatasetServiceOptions): DatasetService {
  const { dataDir, emit } = options;
  const scans = new Map<string, AbortController>();
  const scanned = new Map<string, ScannedDataset>();
  const file = recentDatasetsFile(dataDir);

  const keep = (root: string, dataset: ScannedDataset): void => {
    scanned.delete(root);
    scanned.set(root, dataset);
    while (scanned.size > keptScans) scanned.delete(scanned.keys().next().value!);
  };

  const loadRecent = async () => {
    const loaded = await loadRecentDatasets(file);
    if (loaded.warning) options.warn(loaded.warning);
    return loaded.list;
  };

  const scannedOf = async (root: string): Promise<ScannedDataset> => {
    const key = resolve(root);
    const found = scanned.get(key);
    if (found) return found;
    const dataset = await scanDatasetImages(key, { validate: 'headers' });
    keep(key, dataset);
    return dataset;
  };

  return {
    async scan(path, scanId) {
      requireAbsolute(path, 'path (the dataset folder)');
      if (scans.has(scanId)) throw new LabError('INVALID_ARGUMENT', `A scan with id ${scanId} is already running.`);
      const controller = new AbortController();
      scans.set(scanId, controller);
      try {
        const dataset = await scanDatasetImages(path, {
          signal: controller.signal,
          validate: 'full',
          onProgress: (progress) => emit('scanProgress', { scanId, ...progress }),
        });
        const { report } = dataset;
        keep(report.root, dataset);
        const entry: RecentDataset = {
          path: report.root,
          name: basename(report.root),
          classes: report.classes.length,
          images: report.images,
          problems: report.problems.length,
          openedAt: new Date().toISOString(),
        };
        await saveRecentDatasets(file, rememberDataset(await loadRecent(), entry));
        return report;
      } finally {
        scans.delete(scanId);
      }
    },
    async cancel(scanId) {
      scans.get(scanId)?.abort();
    },
    recent: loadRecent,
    async forget(path) {
      const list = forgetDataset(await loadRecent(), path);
      await saveRecentDatasets(file, list);
      return list;
    },
    async thumbnails(root, className, offset, limit) {
      requireAbsolute(root, 'root (the dataset folder)');
      const dataset = await scannedOf(root);
      const images = dataset.images.filter((image) => image.className === className);
      const page = images.slice(offset, offset + limit);
      const thumbnails = await Promise.all(
        page.map(async (image) => {
          const dataUrl = await thumbnailDataUrl(image.path);
          return dataUrl ? { path: image.rel, dataUrl } : undefined;
        }),
      );
      return { total: images.length, thumbnails: thumbnails.filter((t): t is Thumbnail => t !== undefined) };
    },
    async preview(root, settings, size, count, seed) {
      requireAbsolute(root, 'root (the dataset folder)');
      const dataset = await scannedOf(root);
      if (dataset.images.length === 0) throw new LabError('DATASET_EMPTY', `${root} has no usable image to preview.`);
      // A different image for each seed, so "another example" shows another picture.
      const image = dataset.images[seed % dataset.images.length]!;
      const pngs = await previewAugmentations(image.path, parseAugmentSettings(settings), size, count, seed);
      return { path: image.rel, images: pngs.map((png) => `data:image/png;base64,${png.toString('base64')}`) };
    },
    async cacheInfo() {
      return { dir: imageCacheRoot(dataDir), ...(await cacheSize(dataDir)) };
    },
    async clearCache() {
      await clearCache(dataDir);
      return { dir: imageCacheRoot(dataDir), ...(await cacheSize(dataDir)) };
    },
    async index(path) {
      const dataset = await scanDatasetImages(path, { validate: 'headers' });
      keep(dataset.report.root, dataset);
      return toIndex(dataset);
    },
  };
}
