import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type * as TF from '@tensorflow/tfjs';
import { writeDirAtomic } from '../runs/checkpoint-dir';
import { commitEpoch, type CommittedEpochs } from '../runs/epoch-commit';
import { LabError } from '../errors';

type Tf = typeof TF;

/** The checkpoint folder's files: tfjs Layers format, loadable by tf.loadLayersModel and tensorflowjs_converter. */
export const modelJsonFile = 'model.json';
export const weightsFile = 'weights.bin';

/**
 * Saves a model (with its optimizer state, so training resumes where it stopped) to `dir`,
 * replacing the previous checkpoint whole: a crash leaves the old one or the new one. With
 * `state`, the save commits an epoch: `epoch.json` (the run's committed history) goes into the
 * same folder in the same atomic step (`epoch-commit.ts`). Works on every engine: tfjs-node's
 * file:// handler is not needed, the files are written here.
 */
export async function saveCheckpoint(
  tf: Tf,
  model: TF.LayersModel,
  dir: string,
  extra: Record<string, unknown> = {},
  state?: CommittedEpochs,
): Promise<void> {
  // tfjs leaks a tensor per save with includeOptimizer (the optimizer's iteration count is
  // wrapped in a new scalar and never disposed): one scope around the save frees it.
  tf.engine().startScope();
  try {
    await save(tf, model, dir, extra, state);
  } finally {
    tf.engine().endScope();
  }
}

async function save(
  tf: Tf,
  model: TF.LayersModel,
  dir: string,
  extra: Record<string, unknown>,
  state: CommittedEpochs | undefined,
): Promise<void> {
  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      const weights = new Uint8Array(tf.io.concatenateArrayBuffers(toBuffers(artifacts.weightData)));
      const modelJson = {
        format: 'layers-model',
        generatedBy: artifacts.generatedBy,
        convertedBy: artifacts.convertedBy ?? null,
        modelTopology: artifacts.modelTopology,
        ...(artifacts.trainingConfig ? { trainingConfig: portableTrainingConfig(artifacts.trainingConfig) } : {}),
        weightsManifest: [{ paths: [weightsFile], weights: artifacts.weightSpecs ?? [] }],
        userDefinedMetadata: extra,
      };
      const files = { [modelJsonFile]: JSON.stringify(modelJson), [weightsFile]: weights };
      await (state ? commitEpoch(dir, files, state) : writeDirAtomic(dir, files));
      return {
        modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON', weightDataBytes: weights.byteLength },
      };
    }),
    { includeOptimizer: true },
  );
}

/** Loads a checkpoint written by `saveCheckpoint`; the optimizer state comes back with it. */
export async function loadCheckpoint(tf: Tf, dir: string): Promise<TF.LayersModel> {
  let modelJson: TF.io.ModelJSON;
  let weights: Buffer;
  try {
    modelJson = JSON.parse(await readFile(join(dir, modelJsonFile), 'utf8')) as TF.io.ModelJSON;
    weights = await readFile(join(dir, weightsFile));
  } catch (error) {
    throw new LabError(
      'CHECKPOINT_UNREADABLE',
      `The checkpoint in ${dir} cannot be read (${(error as Error).message}).`,
      { cause: error },
    );
  }
  const artifacts = await tf.io.getModelArtifactsForJSON(modelJson, async (manifest) => {
    const specs = manifest.flatMap((group) => group.weights);
    const data = weights.buffer.slice(weights.byteOffset, weights.byteOffset + weights.byteLength) as ArrayBuffer;
    return [specs, data];
  });
  return tf.loadLayersModel(tf.io.fromMemory(artifacts));
}

/**
 * Frees a model `loadCheckpoint` returned. Its optimizer (with the state restored from the
 * checkpoint) is not owned by the model, so `model.dispose()` alone leaves those tensors behind.
 */
export function disposeLoadedModel(model: TF.LayersModel): void {
  const optimizer = model.optimizer;
  model.dispose();
  optimizer?.dispose();
}

/**
 * The trainer compiles with its own loss (label smoothing, weight decay) and a top-5 metric,
 * which tfjs cannot deserialise by name. The file records the standard equivalents (what Keras
 * and tensorflowjs_converter understand) and keeps the optimizer config, whose state is saved
 * with the weights; a resumed run compiles its own loss and metrics again.
 */
function portableTrainingConfig(config: TF.io.TrainingConfig): TF.io.TrainingConfig {
  return { ...config, loss: 'categorical_crossentropy', metrics: ['accuracy'] };
}

function toBuffers(data: TF.io.WeightData | undefined): ArrayBuffer[] {
  if (data === undefined) return [];
  return Array.isArray(data) ? data : [data];
}
