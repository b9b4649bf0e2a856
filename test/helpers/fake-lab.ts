import { vi } from 'vitest';
import { labMethods, type LabArgs, type LabEvents, type LabMethod, type LabResult, type RunInfo } from '../../main/contract';
import type { Lab } from '../../main/engine';
import { Emitter } from '../../main/events';

const run: RunInfo = {
  id: '20261125-120000-micro-ab12',
  name: 'micro on flowers',
  status: 'completed',
  createdAt: '2026-11-25T12:00:00.000Z',
  updatedAt: '2026-11-25T12:01:00.000Z',
  durationMs: 60_000,
  epochs: 2,
  epochsDone: 2,
  model: { preset: 'micro' },
  training: {},
  dataset: { path: '/data/flowers', fingerprint: 'f', classNames: ['a', 'b'], split: { seed: 42, key: 'k' } },
  versions: {},
};

/** A typical answer of each call. The record type makes a new contract call a compile error here. */
export const sampleResults: { [M in LabMethod]: LabResult<M> } = {
  getAppInfo: { name: 'Xception Lab', version: '0.0.0', dataDir: '/data', platform: 'linux', arch: 'x64', versions: { node: '20' } },
  getEngine: { name: 'tfjs', device: 'cpu', reason: 'test', backend: 'cpu', version: '4.22.0' },
  getSettings: { theme: 'system' },
  updateSettings: { theme: 'dark' },
  listSamples: [],
  getLog: [],
  listModelPresets: [],
  describeModel: { ok: false, issues: [{ field: 'classes', message: 'classes is 1' }] },
  checkTrainingSettings: { ok: true, settings: {} },
  listConfigs: { configs: [], problems: [] },
  saveConfig: { name: 'c', model: { preset: 'micro' }, training: {}, savedAt: '2026-01-01T00:00:00.000Z' },
  deleteConfig: undefined,
  startTraining: { ...run, status: 'running' },
  stopTraining: undefined,
  resumeRun: { ...run, status: 'running' },
  listRuns: [{ id: run.id, run }],
  getRun: { run, metrics: [], damaged: [], folder: '/data/runs/x', log: [] },
  renameRun: { ...run, name: 'renamed' },
  deleteRun: undefined,
  scanDataset: {
    root: '/data/flowers',
    layout: 'folders',
    validation: 'full',
    classes: [{ name: 'a', images: 3 }],
    problems: [],
    warnings: [],
    ignored: 0,
    images: 3,
    formats: { PNG: 3 },
    sizes: null,
    duplicates: [],
    fingerprint: 'f',
  },
  cancelScan: undefined,
  listRecentDatasets: [],
  forgetRecentDataset: [],
  browseFolder: { path: '/data', folders: [], imageFiles: 0 },
  getThumbnails: { total: 0, thumbnails: [] },
  previewAugmentation: { path: 'a/1.png', images: [] },
  getCacheInfo: { dir: '/data/cache/images', bytes: 0, files: 0 },
  clearCache: { dir: '/data/cache/images', bytes: 0, files: 0 },
};

/** Valid arguments for each call, as a front end would send them. */
export const sampleArgs: { [M in LabMethod]: LabArgs<M> } = {
  getAppInfo: [],
  getEngine: [],
  getSettings: [],
  updateSettings: [{ theme: 'dark' }],
  listSamples: [],
  getLog: [],
  listModelPresets: [],
  describeModel: [{ preset: 'micro', classes: 3 }, 8],
  checkTrainingSettings: [{ epochs: 3 }],
  listConfigs: [],
  saveConfig: [{ name: 'c', model: { preset: 'micro' }, training: {} }, false],
  deleteConfig: ['c'],
  startTraining: [{ dataset: '/data/flowers', model: { preset: 'micro' }, training: { epochs: 2 } }],
  stopTraining: [run.id],
  resumeRun: [run.id],
  listRuns: [],
  getRun: [run.id],
  renameRun: [run.id, 'renamed'],
  deleteRun: [run.id],
  scanDataset: ['/data/flowers', 'scan-1'],
  cancelScan: ['scan-1'],
  listRecentDatasets: [],
  forgetRecentDataset: ['/data/flowers'],
  browseFolder: ['/data'],
  getThumbnails: ['/data/flowers', 'a', 0, 24],
  previewAugmentation: ['/data/flowers', { flip: true, rotation: 10, zoom: 0.1, brightness: 0.1, contrast: 0.1, noise: 0 }, 64, 8, 1],
  getCacheInfo: [],
  clearCache: [],
};

/** An engine stand-in whose every call is a spy answering its sample result. */
export function fakeLab(): Lab {
  const calls = Object.fromEntries(labMethods.map((m) => [m, vi.fn(async () => sampleResults[m])]));
  return { ...(calls as unknown as Lab), events: new Emitter<LabEvents>(), close: vi.fn(async () => {}) };
}
