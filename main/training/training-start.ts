import type { EngineInfo, RunInfo, TrainRequest } from '../contract';
import { parseAugmentSettings } from '../dataset/image/augment';
import { excludedClassesText, indexForClasses } from '../dataset/pipeline/dataset-index';
import { saveManifest } from '../dataset/dataset-changes';
import { requireAbsolute } from '../dataset/dataset-service';
import { validateTrainingSettings, type TrainingSettings } from '../models/training-settings';
import { requireImagenetWeights } from '../models/pretrained/imagenet';
import { modelForClasses, prepareRunData } from './prepare-run-data';
import type { TrainingContext } from './training-context';
import { launch } from './training-session';

/** `classNames`: a resumed run's own classes (older runs may list an empty one). */
export async function prepareDataset(
  ctx: TrainingContext,
  path: string,
  settings: TrainingSettings,
  classNames?: readonly string[],
) {
  const { options } = ctx;
  const scanned = await options.indexDataset(path);
  const index = (classNames && indexForClasses(scanned, classNames)) || scanned;
  const { split, file, images } = await prepareRunData({ dataDir: options.dataDir, index, dataset: path, settings });
  return { index, split, file, images };
}

/** A new run: checked, its folder created and locked, then launched. */
export async function startRun(ctx: TrainingContext, request: TrainRequest): Promise<RunInfo> {
  const { options, runs } = ctx;
  requireAbsolute(request.dataset);
  const settings = validateTrainingSettings(request.training);
  requireImagenetWeights(request.model.preset, settings);
  const augment = request.augment ? parseAugmentSettings(request.augment) : null;
  const { index, split, file, images } = await prepareDataset(ctx, request.dataset, settings);
  const model = modelForClasses(request.model, index.classNames.length, request.dataset);
  const engine: EngineInfo = await options.worker().engine;
  const record = await runs.create({
    name: request.name?.trim() || `${request.model.preset ?? 'custom'} on ${index.root.split(/[\\/]/).pop()}`,
    epochs: settings.epochs,
    model: { ...request.model, ...model },
    training: { ...settings, augment },
    dataset: {
      path: index.root,
      fingerprint: index.fingerprint,
      classNames: index.classNames,
      split: {
        seed: split.seed,
        key: file,
        fractions: split.fractions,
        source: split.source,
        counts: split.counts,
      },
      ...(index.excludedClasses.length > 0 ? { excludedClasses: index.excludedClasses } : {}),
    },
    engine: { name: engine.name, device: engine.device, version: engine.version, backend: engine.backend },
    versions: options.versions,
  });
  await runs
    .appendLog(
      record.id,
      `Dataset ${index.root} (${index.images.length} images, fingerprint ${index.fingerprint.slice(0, 12)}); split ${file}.`,
    )
    .catch(() => {});
  // The images behind the fingerprint, so a later "dataset changed" can say what changed.
  if (index.files) await saveManifest(options.dataDir, index.fingerprint, index.files).catch(() => {});
  if (index.excludedClasses.length > 0)
    await runs.appendLog(record.id, `[warn] ${excludedClassesText(index.excludedClasses)}`).catch(() => {});
  return launch(ctx, record, {
    runId: record.id,
    dataDir: options.dataDir,
    checkpoints: runs.paths(record.id).checkpoints,
    classNames: index.classNames,
    train: images.train,
    val: images.val,
    model,
    settings,
    augment,
    initialEpoch: 0,
  });
}
