/**
 * The tensor side of evaluation, prediction and model export. Runs in the training worker (the
 * one thread that owns tfjs): loads a checkpoint, feeds it batches of images exactly as
 * validation did during training (same decode, resize, cache and normalisation, no
 * augmentation), and answers with plain numbers; the main thread computes the metrics.
 * Every tensor made here is disposed before the call returns.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type * as TF from '@tensorflow/tfjs';
import sharp from 'sharp';
import { LabError, firstLine } from '../errors';
import { ImageCache } from '../dataset/pipeline/cache';
import { decodeSource } from '../dataset/image/decode';
import { detectFormat, SNIFF_BYTES } from '../dataset/image/detect-format';
import type { LabelledImage } from '../dataset/labelled-image';
import { createBatchSource, normalisationTable } from '../dataset/pipeline/pipeline';
import { renderResizedFloat } from '../dataset/image/augment';
import { decodeReason, unreadableReason } from '../dataset/image/reasons';
import { resizeRgb, type RgbImage } from '../dataset/image/warp';
import { disposeLoadedModel, loadCheckpoint, modelJsonFile, weightsFile } from '../training/checkpoint-io';

type Tf = typeof TF;

/** Images per forward pass. */
const BATCH = 32;
/** Classes kept per image. */
const TOP = 5;
/** Largest side of a prediction's thumbnail. */
const THUMBNAIL_MAX = 128;

export interface RankedClass {
  label: number;
  prob: number;
}

export interface EvaluateRequest {
  checkpointDir: string;
  images: LabelledImage[];
  classNames: string[];
  /** For the preprocessing cache training filled (optional: without it every image is decoded). */
  dataDir?: string;
}

export interface EvaluatedImage {
  /** As given in the request (absolute). */
  path: string;
  label: number;
  /** Most probable first, up to 5. */
  top: RankedClass[];
  /** Probability of the true class (for the loss). */
  trueProb: number;
}

export interface EvaluateResponse {
  images: EvaluatedImage[];
  /** Images that could not be decoded (absolute path, reason). */
  skipped: { path: string; reason: string }[];
  inputSize: number;
}

export type PredictSource = { file: string; path: string } | { file: string; bytes: Uint8Array };

export interface PredictRequest {
  checkpointDir: string;
  inputs: PredictSource[];
  classCount: number;
}

/** One input's answer, in the order of the request. */
export type PredictAnswer = { top: RankedClass[]; thumbnail: string } | { error: string };

export interface ExportRequest {
  checkpointDir: string;
  /** An empty folder just made for this export; files are created, never replaced. */
  outDir: string;
  /** Stored in model.json's `userDefinedMetadata`. */
  metadata: Record<string, unknown>;
}

export interface ExportResponse {
  /** Absolute paths of model.json and the weights. */
  files: string[];
  inputSize: number;
  weightBytes: number;
}

/** The square input size of a loaded model, checking it is an image classifier with `classCount` outputs. */
function checkModel(model: TF.LayersModel, classCount: number, dir: string): number {
  const input = model.inputs[0]?.shape ?? [];
  const output = model.outputs[0]?.shape ?? [];
  const size = input[1];
  if (input.length !== 4 || typeof size !== 'number' || input[2] !== size || input[3] !== 3) {
    throw new LabError(
      'CHECKPOINT_MISMATCH',
      `The model in ${dir} does not take square RGB images (input shape ${JSON.stringify(input)}).`,
    );
  }
  if (output.length !== 2 || output[1] !== classCount) {
    throw new LabError(
      'CHECKPOINT_MISMATCH',
      `The model in ${dir} has ${JSON.stringify(output[1] ?? output)} outputs but the run has ${classCount} classes: the checkpoint does not belong to this run.`,
    );
  }
  return size;
}

/** The `k` most probable classes of row `row` of `probs` (`classes` wide), most probable first. */
export function topClasses(
  probs: Float32Array | Int32Array | Uint8Array,
  row: number,
  classes: number,
  k = TOP,
): RankedClass[] {
  const top: RankedClass[] = [];
  const offset = row * classes;
  for (let c = 0; c < classes; c++) {
    const prob = probs[offset + c]!;
    if (top.length === k && prob <= top[k - 1]!.prob) continue;
    let at = top.length === k ? k - 1 : top.length;
    top[at] = { label: c, prob };
    // Insertion from the end; ties keep the lower class index first.
    while (at > 0 && top[at - 1]!.prob < prob) {
      [top[at - 1], top[at]] = [top[at]!, top[at - 1]!];
      at--;
    }
  }
  return top;
}

/** Class probabilities of a batch of normalised images. */
async function forward(
  tf: Tf,
  model: TF.LayersModel,
  xs: Float32Array,
  count: number,
  size: number,
): Promise<Float32Array> {
  const probs = tf.tidy(() => model.predict(tf.tensor4d(xs, [count, size, size, 3], 'float32')) as TF.Tensor);
  try {
    return (await probs.data()) as Float32Array;
  } finally {
    probs.dispose();
  }
}

/** Runs the checkpoint on labelled images (the run's val or test split). */
export async function evaluateCheckpoint(tf: Tf, request: EvaluateRequest): Promise<EvaluateResponse> {
  const classes = request.classNames.length;
  const model = await loadCheckpoint(tf, request.checkpointDir);
  let cache: ImageCache | null = null;
  try {
    const size = checkModel(model, classes, request.checkpointDir);
    if (request.dataDir) cache = await ImageCache.open({ dataDir: request.dataDir, size }).catch(() => null);
    const skipped: EvaluateResponse['skipped'] = [];
    const source = createBatchSource({
      images: request.images,
      classNames: request.classNames,
      size,
      batchSize: BATCH,
      seed: 0,
      shuffle: false,
      augment: null,
      cache,
      onUnreadable: (image, error) => skipped.push({ path: image.path, reason: firstLine(error) }),
    });
    const images: EvaluatedImage[] = [];
    for await (const batch of source.batches(0)) {
      const probs = await forward(tf, model, batch.xs, batch.count, size);
      for (let i = 0; i < batch.count; i++) {
        const label = batch.labels[i]!;
        images.push({
          path: batch.paths[i]!,
          label,
          top: topClasses(probs, i, classes),
          trueProb: probs[i * classes + label]!,
        });
      }
    }
    return { images, skipped, inputSize: size };
  } finally {
    disposeLoadedModel(model);
    await cache?.close();
  }
}

/** Why a file cannot be predicted, in the health report's words. */
async function loadInput(input: PredictSource, size: number): Promise<RgbImage | string> {
  let bytes: Uint8Array;
  if ('bytes' in input) {
    bytes = input.bytes;
  } else {
    try {
      bytes = await readFile(input.path);
    } catch (error) {
      return (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'file not found' : unreadableReason(error);
    }
  }
  if (bytes.length === 0) return 'empty file';
  const format = detectFormat(bytes.subarray(0, SNIFF_BYTES));
  if (format.kind === 'not-image') return 'not an image';
  if (format.kind === 'unsupported') return `unsupported format (${format.name})`;
  try {
    return await decodeSource(bytes, size);
  } catch (error) {
    return decodeReason(format.format, error);
  }
}

async function thumbnail(image: RgbImage, size: number): Promise<string> {
  let png = sharp(resizeRgb(image, size), { raw: { width: size, height: size, channels: 3 } });
  if (size > THUMBNAIL_MAX) png = png.resize(THUMBNAIL_MAX, THUMBNAIL_MAX);
  return `data:image/png;base64,${(await png.png().toBuffer()).toString('base64')}`;
}

/** Top-5 classes of each input; an input that is not a readable image gets its reason instead. */
export async function predictWithCheckpoint(tf: Tf, request: PredictRequest): Promise<PredictAnswer[]> {
  const model = await loadCheckpoint(tf, request.checkpointDir);
  try {
    const size = checkModel(model, request.classCount, request.checkpointDir);
    const lut = normalisationTable('xception');
    const pixels = size * size * 3;
    const answers: PredictAnswer[] = [];
    for (let start = 0; start < request.inputs.length; start += BATCH) {
      const loaded = await Promise.all(
        request.inputs.slice(start, start + BATCH).map((input) => loadInput(input, size)),
      );
      const good = loaded.flatMap((image, i) => (typeof image === 'string' ? [] : [{ image, i }]));
      const xs = new Float32Array(good.length * pixels);
      good.forEach(({ image }, row) => renderResizedFloat(image, size, lut, xs, row * pixels));
      const probs = good.length > 0 ? await forward(tf, model, xs, good.length, size) : new Float32Array(0);
      const thumbnails = await Promise.all(good.map(({ image }) => thumbnail(image, size)));
      const rowOf = new Map(good.map(({ i }, row) => [i, row]));
      loaded.forEach((image, i) => {
        const row = rowOf.get(i);
        answers.push(
          row === undefined
            ? { error: image as string }
            : { top: topClasses(probs, row, request.classCount), thumbnail: thumbnails[row]! },
        );
      });
    }
    return answers;
  } finally {
    disposeLoadedModel(model);
  }
}

/**
 * Writes the checkpoint's model as a tfjs Layers model (model.json + weights.bin) without the
 * optimizer state: what `tf.loadLayersModel` and `tensorflowjs_converter` read.
 */
export async function exportCheckpoint(tf: Tf, request: ExportRequest): Promise<ExportResponse> {
  const model = await loadCheckpoint(tf, request.checkpointDir);
  try {
    const input = model.inputs[0]?.shape ?? [];
    const inputSize = typeof input[1] === 'number' ? input[1] : 0;
    const files = [join(request.outDir, modelJsonFile), join(request.outDir, weightsFile)];
    let weightBytes = 0;
    await model.save(
      tf.io.withSaveHandler(async (artifacts) => {
        const parts =
          artifacts.weightData === undefined
            ? []
            : Array.isArray(artifacts.weightData)
              ? artifacts.weightData
              : [artifacts.weightData];
        const weights = new Uint8Array(tf.io.concatenateArrayBuffers(parts));
        weightBytes = weights.byteLength;
        const modelJson = {
          format: 'layers-model',
          generatedBy: artifacts.generatedBy,
          convertedBy: artifacts.convertedBy ?? null,
          modelTopology: artifacts.modelTopology,
          weightsManifest: [{ paths: [weightsFile], weights: artifacts.weightSpecs ?? [] }],
          userDefinedMetadata: request.metadata,
        };
        try {
          // 'wx': an export never replaces a file.
          await writeFile(files[0]!, `${JSON.stringify(modelJson)}\n`, { flag: 'wx' });
          await writeFile(files[1]!, weights, { flag: 'wx' });
        } catch (error) {
          const why =
            (error as NodeJS.ErrnoException).code === 'ENOSPC' ? 'the disk is full' : (error as Error).message;
          throw new LabError(
            'EXPORT_UNWRITABLE',
            `Cannot write the model into ${request.outDir}: ${why}. Choose another folder.`,
            { cause: error },
          );
        }
        return {
          modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON', weightDataBytes: weights.byteLength },
        };
      }),
      { includeOptimizer: false },
    );
    return { files, inputSize, weightBytes };
  } finally {
    disposeLoadedModel(model);
  }
}
