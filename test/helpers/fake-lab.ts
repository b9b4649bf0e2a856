import { vi } from 'vitest';
import { labMethods, type LabArgs, type LabEvents, type LabMethod, type LabResult } from '../../main/contract';
import type { Lab } from '../../main/engine';
import { Emitter } from '../../main/events';

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
};

/** An engine stand-in whose every call is a spy answering its sample result. */
export function fakeLab(): Lab {
  const calls = Object.fromEntries(labMethods.map((m) => [m, vi.fn(async () => sampleResults[m])]));
  return { ...(calls as unknown as Lab), events: new Emitter<LabEvents>(), close: vi.fn(async () => {}) };
}
