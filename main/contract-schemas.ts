import { z } from 'zod';
import { previewSizeRange } from './dataset/image/augment-ranges';

/**
 * Argument schemas for every call in the contract, checked before anything reaches the engine
 * (Electron IPC and the browser-mode WebSocket both use these). `satisfies` makes a call
 * without a schema a type error. The shapes defined here (settings, report requests, recent
 * datasets, baselines…) give the contract its types (`z.output`), so each is written once.
 */
export const themeSchema = z.enum(['system', 'light', 'dark']);

export const settingsSchema = z.object({
  theme: themeSchema,
  /** The dataset folder the Train page last trained on or was given, shown again after a reload; null: a bundled sample. */
  trainFolder: z.string().min(1).max(4096).nullable().optional(),
});

/** Field values are checked by the model's own schema, which names the field; here only the shape. */
const modelRequestSchema = z.looseObject({ preset: z.string().max(40).optional() });
/** Likewise: `parseAugmentSettings` fills in missing settings and names a bad one with its range. */
const augmentRequestSchema = z.record(z.string(), z.unknown());

const path = z.string().min(1).max(4096);
const scanId = z.string().min(1).max(100);
const runId = z.string().regex(/^[0-9]{8}-[0-9]{6}(-[a-z0-9-]+)?$/, 'not a run id');
export const evalSplitSchema = z.enum(['val', 'test']);
export const checkpointKindSchema = z.enum(['best', 'last']);
export const compareBasisSchema = z.enum(['final', 'best']);
export const reportFormatSchema = z.enum(['html', 'pdf', 'md', 'csv']);
export const reportRequestSchema = z.object({
  runIds: z.array(runId).min(1).max(50),
  title: z.string().max(300).optional(),
  author: z.string().max(300).optional(),
  notes: z.string().max(100_000).optional(),
  basis: compareBasisSchema.optional(),
  /** A pinned baseline's run id: the report gets an "Against the baseline" section. */
  baseline: runId.optional(),
});

/** A dataset the user opened, remembered in DATA_DIR/recent-datasets.json. */
export const recentDatasetSchema = z.object({
  path: z.string(),
  name: z.string(),
  classes: z.number().int().nonnegative(),
  images: z.number().int().nonnegative(),
  problems: z.number().int().nonnegative(),
  /** ISO 8601. */
  openedAt: z.string(),
});

/** A baseline's label, in characters. */
const maxBaselineLabel = 100;

/** A run pinned as a baseline that new runs are measured against (DATA_DIR/baselines.json). */
export const baselineSchema = z.object({
  runId: z.string().min(1),
  /** The user's words, e.g. "best result", "last week". */
  label: z.string().min(1).max(maxBaselineLabel),
  pinnedAt: z.string(),
});

export const argSchemas = {
  getAppInfo: z.tuple([]),
  getEngine: z.tuple([]),
  getKerasEngine: z.tuple([z.boolean().optional()]),
  getSettings: z.tuple([]),
  updateSettings: z.tuple([settingsSchema.partial().strict()]),
  listSamples: z.tuple([]),
  getLog: z.tuple([]),
  listModelPresets: z.tuple([]),
  describeModel: z.tuple([modelRequestSchema, z.int().min(1).max(4096).optional()]),
  checkTrainingSettings: z.tuple([z.record(z.string(), z.unknown())]),
  listConfigs: z.tuple([]),
  saveConfig: z.tuple([
    z.object({
      name: z.string().min(1).max(100),
      model: modelRequestSchema,
      training: z.record(z.string(), z.unknown()),
    }),
    z.boolean(),
  ]),
  deleteConfig: z.tuple([z.string().min(1).max(100)]),
  startTraining: z.tuple([
    z.object({
      dataset: z.string().min(1),
      model: modelRequestSchema,
      training: z.record(z.string(), z.unknown()),
      augment: augmentRequestSchema.optional(),
      name: z.string().max(200).optional(),
      engine: z.literal('keras').optional(),
    }),
  ]),
  stopTraining: z.tuple([runId]),
  resumeRun: z.tuple([runId]),
  listRuns: z.tuple([]),
  getRun: z.tuple([runId]),
  renameRun: z.tuple([runId, z.string().min(1).max(200)]),
  deleteRun: z.tuple([runId]),
  scanDataset: z.tuple([path, scanId]),
  cancelScan: z.tuple([scanId]),
  listRecentDatasets: z.tuple([]),
  forgetRecentDataset: z.tuple([path]),
  browseFolder: z.tuple([path.optional()]),
  getThumbnails: z.tuple([path, z.string().min(1).max(1000), z.int().min(0), z.int().min(1).max(200)]),
  previewAugmentation: z.tuple([
    path,
    augmentRequestSchema,
    z.int().min(previewSizeRange.min).max(previewSizeRange.max),
    z.int().min(1).max(64),
    z
      .int()
      .min(0)
      .max(2 ** 31 - 1),
  ]),
  getCacheInfo: z.tuple([]),
  clearCache: z.tuple([]),
  evaluateRun: z.tuple([runId, evalSplitSchema, checkpointKindSchema]),
  getEvaluations: z.tuple([runId]),
  getRunImages: z.tuple([runId, z.array(path).max(200)]),
  predictImages: z.tuple([
    runId,
    z
      .array(
        z.union([
          z.object({ path }),
          z.object({ name: z.string().min(1).max(1000), base64: z.string().max(40_000_000) }),
        ]),
      )
      .min(1)
      .max(500),
    checkpointKindSchema,
  ]),
  compareRuns: z.tuple([z.array(runId).min(1).max(50), compareBasisSchema]),
  renderReport: z.tuple([reportRequestSchema]),
  exportReport: z.tuple([reportRequestSchema, reportFormatSchema, path.optional()]),
  downloadReport: z.tuple([reportRequestSchema, reportFormatSchema]),
  exportModel: z.tuple([runId, checkpointKindSchema, path.optional()]),
  getExportTarget: z.tuple([]),
  openFolder: z.tuple([path]),
  listBaselines: z.tuple([]),
  pinBaseline: z.tuple([runId, z.string().trim().min(1, 'a baseline needs a label').max(maxBaselineLabel)]),
  unpinBaseline: z.tuple([runId]),
} satisfies Record<string, z.ZodTuple>;
