/**
 * A self-contained Keras 3 project for one experiment of the lab: model.py, data.py, train.py
 * and lab_files.py generated from the same plan and settings the lab trains with, the run's
 * split, the tfjs topology of the lab's model (so train.py writes checkpoints the lab loads
 * without a converter), lab.json (what the lab needs to import the results), a README and
 * requirements.txt. Written into a new or empty folder; nothing is ever overwritten.
 */
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { LabError } from '../errors';
import type { ModelConfig } from '../models/model-config';
import { planXception } from '../models/xception-plan';
import { buildFromPlan, type Tf } from '../models/xception';
import { dataPy } from './data-py';
import type { KerasExperiment } from './keras-experiment';
import { labFilesPy } from './lab-files-py';
import { modelPy } from './model-py';
import { projectReadme } from './project-readme';
import { trainPy } from './train-py';

export const labJsonFile = 'lab.json';
export const splitJsonFile = 'split.json';
export const topologyFile = 'tfjs_topology.json';

/** lab.json: read back by `xlab import-keras` (and by train.py for the dataset folder). */
export const labJsonSchema = z.object({
  formatVersion: z.literal(1),
  generatedBy: z.string(),
  source: z.string(),
  runId: z.string().optional(),
  name: z.string(),
  model: z.looseObject({}),
  modelConfig: z.looseObject({}),
  training: z.looseObject({}),
  augment: z.looseObject({}).nullable(),
  dataset: z.object({
    path: z.string(),
    fingerprint: z.string(),
    classNames: z.array(z.string()),
    split: z.looseObject({ seed: z.int(), key: z.string() }),
  }),
});
export type LabJson = z.output<typeof labJsonSchema>;

export const requirementsTxt = `# Python 3.9-3.12. On a machine with an NVIDIA GPU use "tensorflow[and-cuda]" instead of tensorflow-cpu.
tensorflow-cpu>=2.16
keras>=3.0
pillow
numpy
`;

/** The tfjs topology of the lab's model for this config (what model.json's modelTopology holds). */
export function labTopology(tf: Tf, config: ModelConfig): unknown {
  const model = buildFromPlan(planXception(config), tf);
  try {
    return model.toJSON(null, false);
  } finally {
    model.dispose();
  }
}

async function claimEmptyFolder(dir: string): Promise<void> {
  try {
    await mkdir(dir, { recursive: true });
    const entries = await readdir(dir);
    if (entries.length > 0) {
      throw new LabError(
        'EXPORT_FOLDER_NOT_EMPTY',
        `${dir} is not empty: choose a new or empty folder for the Keras project (nothing was written).`,
      );
    }
  } catch (error) {
    if (error instanceof LabError) throw error;
    throw new LabError(
      'EXPORT_UNWRITABLE',
      `Cannot create ${dir}: ${(error as Error).message}. Choose another folder.`,
      { cause: error },
    );
  }
}

/** Writes the project into `dir` (new or empty) and returns the files written. */
export async function writeKerasProject(
  tf: Tf,
  experiment: KerasExperiment,
  dir: string,
  labVersion: string,
): Promise<string[]> {
  await claimEmptyFolder(dir);
  const { split } = experiment.dataset;
  const lab: LabJson = {
    formatVersion: 1,
    generatedBy: `Xception Lab ${labVersion}`,
    source: experiment.source,
    ...(experiment.runId ? { runId: experiment.runId } : {}),
    name: experiment.name,
    model: experiment.modelRequest,
    modelConfig: experiment.model,
    training: experiment.training,
    augment: experiment.augment as unknown as Record<string, unknown> | null,
    dataset: {
      path: experiment.dataset.path,
      fingerprint: experiment.dataset.fingerprint,
      classNames: experiment.dataset.classNames,
      split: {
        seed: split.seed,
        key: experiment.dataset.splitKey,
        fractions: split.fractions,
        source: split.source,
        counts: split.counts,
      },
    },
  };
  const files: Record<string, string> = {
    'model.py': modelPy(experiment.model, experiment.source),
    'data.py': dataPy(experiment.augment),
    'train.py': trainPy(experiment.training, experiment.source),
    'lab_files.py': labFilesPy(),
    [labJsonFile]: `${JSON.stringify(lab, null, 2)}\n`,
    [splitJsonFile]: `${JSON.stringify(split, null, 1)}\n`,
    [topologyFile]: `${JSON.stringify(labTopology(tf, experiment.model))}\n`,
    'requirements.txt': requirementsTxt,
    'README.md': projectReadme(experiment),
  };
  const written: string[] = [];
  for (const [name, text] of Object.entries(files)) {
    const file = join(dir, name);
    await writeFile(file, text, { flag: 'wx' });
    written.push(file);
  }
  return written;
}
