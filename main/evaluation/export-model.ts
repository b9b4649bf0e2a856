/**
 * Exporting a run's checkpoint as a TensorFlow.js model into a new folder, with its labels
 * and a README that says what input it expects and how to load and convert it.
 */
import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { CheckpointKind, ExportedFiles } from '../contract';
import { requireAbsolute } from '../dataset/dataset-service';
import { DEFAULT_FIT } from '../dataset/image/decode';
import { LabError, firstLine } from '../errors';
import { claimNewFolder, safeFileName } from '../fs/export-files';
import type { RunRecord } from '../runs/run-record';
import { checkpointEpoch } from './checkpoint-epoch';
import { pct, type EvaluationServiceOptions } from './evaluation-context';

/** Writes the run's `checkpoint` into a new folder inside `folder`; nothing is written over. */
export async function exportModel(
  options: EvaluationServiceOptions,
  runId: string,
  checkpoint: CheckpointKind,
  folder: string,
): Promise<ExportedFiles> {
  const { runs } = options;
  requireAbsolute(folder, 'folder (where to export)');
  const run = await runs.get(runId);
  const checkpointDir = runs.paths(runId).checkpoints[checkpoint];
  const epoch = await checkpointEpoch(checkpointDir, run, checkpoint);
  const outDir = await claimNewFolder(
    folder,
    safeFileName(`${run.name} - ${checkpoint} checkpoint`, `${runId}-${checkpoint}`),
  );
  try {
    const written = await options.worker().request({
      kind: 'exportModel',
      checkpointDir,
      outDir,
      metadata: { runId, runName: run.name, checkpoint, epoch, normalisation: 'xception', fit: DEFAULT_FIT },
    });
    const labels = join(outDir, 'labels.json');
    const readme = join(outDir, 'README.md');
    await writeFile(labels, `${JSON.stringify(run.dataset.classNames, null, 2)}\n`, { flag: 'wx' });
    await writeFile(readme, modelReadme(run, checkpoint, epoch, written.inputSize, outDir), { flag: 'wx' });
    return { files: [...written.files, labels, readme] };
  } catch (error) {
    // The folder was made for this export a moment ago: nothing of the user's is in it.
    await rm(outDir, { recursive: true, force: true }).catch(() => {});
    if (error instanceof LabError) throw error;
    throw new LabError(
      'EXPORT_UNWRITABLE',
      `Cannot write the model into ${outDir}: ${firstLine(error)}. Choose another folder.`,
      { cause: error },
    );
  }
}

/** The exported model's README: what it is, what input it expects, how to load and convert it. */
export function modelReadme(
  run: RunRecord,
  checkpoint: CheckpointKind,
  epoch: number,
  inputSize: number,
  outDir: string,
): string {
  const classes = run.dataset.classNames;
  const summary = checkpoint === 'best' ? run.best : run.last;
  const valAcc = summary?.val_acc != null ? `, validation accuracy ${pct(summary.val_acc)}` : '';
  const url = pathToFileURL(join(outDir, 'model.json')).href;
  const s = inputSize;
  return `# ${run.name}: ${checkpoint} checkpoint

Exported by Xception Lab from run \`${run.id}\`: the ${checkpoint} checkpoint, epoch ${epoch + 1} of ${run.epochsDone}${valAcc}.

| File | What it is |
| --- | --- |
| \`model.json\` + \`weights.bin\` | The model in TensorFlow.js Layers format (weights only, no optimizer state). |
| \`labels.json\` | The ${classes.length} class names: output \`i\` of the model is the probability of \`labels[i]\`. |

## Input and output

- Input: a float32 tensor \`[batch, ${s}, ${s}, 3]\`, RGB.
- Resize the whole image to ${s}×${s} pixels, stretching it (no crop, as Keras' \`image_dataset_from_directory\` does); put transparent images on white.
- Normalise every channel value \`v\` (0–255) to \`v / 127.5 − 1\`, i.e. the range −1…1: Keras' \`xception.preprocess_input\` (mode "tf").
- Output: \`[batch, ${classes.length}]\` softmax probabilities, in the order of \`labels.json\`.

## Load it with TensorFlow.js

In Node.js (\`npm install @tensorflow/tfjs-node\`):

\`\`\`js
import * as tf from '@tensorflow/tfjs-node';
import { readFileSync } from 'node:fs';

const model = await tf.loadLayersModel('${url}');
const labels = JSON.parse(readFileSync(new URL('labels.json', '${url}'), 'utf8'));
// Bilinear with half-pixel centres, as the lab resized (it shrinks large images with antialiasing first).
const input = tf.tidy(() =>
  tf.image.resizeBilinear(tf.node.decodeImage(readFileSync('photo.jpg'), 3), [${s}, ${s}], false, true).div(127.5).sub(1).expandDims(0),
);
const probs = await model.predict(input).data();
console.log(labels[probs.indexOf(Math.max(...probs))]);
\`\`\`

In a browser, serve this folder with any web server and load it by URL:

\`\`\`js
const model = await tf.loadLayersModel('https://example.com/${encodeURIComponent(outDir.split(/[\\/]/).pop() ?? 'model')}/model.json');
const input = tf.tidy(() => tf.image.resizeBilinear(tf.browser.fromPixels(imageElement), [${s}, ${s}], false, true).div(127.5).sub(1).expandDims(0));
\`\`\`

## Convert it to Keras

\`\`\`sh
pip install tensorflowjs
tensorflowjs_converter --input_format tfjs_layers_model --output_format keras model.json model.h5
\`\`\`

Then in Python, \`keras.models.load_model("model.h5")\`, and prepare images with
\`keras.applications.xception.preprocess_input\` at ${s}×${s} pixels. The model comes without
an optimizer: to train it further, \`model.compile(optimizer="adam", loss="categorical_crossentropy",
metrics=["accuracy"])\` first (predicting needs no compile).
`;
}
