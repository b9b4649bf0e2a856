import type {
  DescribeModelResult,
  FieldIssue,
  ModelPresetInfo,
  ModelRequest,
  TrainingSettingsResult,
} from '../contract';
import { LabError } from '../errors';
import { estimateCost } from './model-cost';
import { modelConfigIssues, validateModelConfig, type ModelConfig } from './model-config';
import type { ModelSummary } from './model-summary';
import { getModelPreset, modelPresetIds, modelPresets } from './presets';
import { outlineFlows, planXception } from './xception-plan';
import { trainingSettingsIssues, validateTrainingSettings } from './training-settings';

export function listModelPresets(): ModelPresetInfo[] {
  return modelPresetIds.map((id) => {
    const preset = modelPresets[id];
    return {
      id,
      title: preset.title,
      description: preset.description,
      suggestedSizes: preset.suggestedSizes,
      config: validateModelConfig(preset.config),
    };
  });
}

/** The preset's config with the user's fields on top (undefined fields keep the preset's values). */
export function mergeModelRequest(request: ModelRequest): Record<string, unknown> {
  const { preset = 'xception', ...fields } = request;
  const base = getModelPreset(preset);
  const given = Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined));
  return { ...base.config, ...given };
}

/**
 * Every problem with a model request, field by field, or its full description. The real model
 * is built by `summarize` (the training worker), never on the caller's thread.
 */
export async function describeModel(
  request: ModelRequest,
  batchSize: number,
  summarize: (config: ModelConfig) => Promise<ModelSummary>,
): Promise<DescribeModelResult> {
  let merged: Record<string, unknown>;
  try {
    merged = mergeModelRequest(request);
  } catch (error) {
    if (error instanceof LabError) return { ok: false, issues: [{ field: 'preset', message: error.message }] };
    throw error;
  }
  const issues: FieldIssue[] = modelConfigIssues(merged);
  if (issues.length > 0) return { ok: false, issues };
  const config = validateModelConfig(merged);
  const summary = await summarize(config);
  return {
    ok: true,
    model: { config, summary, cost: estimateCost(config, batchSize), flows: outlineFlows(planXception(config)) },
  };
}

/** Training settings with defaults filled in, or the problems field by field. */
export function checkTrainingSettings(raw: Record<string, unknown>): TrainingSettingsResult {
  const issues = trainingSettingsIssues(raw);
  return issues.length > 0 ? { ok: false, issues } : { ok: true, settings: validateTrainingSettings(raw) };
}
