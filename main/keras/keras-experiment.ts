import type { AugmentSettings } from '../dataset/image/augment';
import type { DatasetSplit } from '../dataset/pipeline/split';
import type { ModelConfig } from '../models/model-config';
import type { TrainingSettings } from '../models/training-settings';

/** What an exported project trains: the lab's own config, settings, augmentation and split. */
export interface KerasExperiment {
  /** Where it came from, for the generated files' headers ("run 2026…", "config mini.json"). */
  source: string;
  runId?: string;
  name: string;
  /** The model as the user asked for it (preset and changed fields), kept for the imported run. */
  modelRequest: Record<string, unknown>;
  model: ModelConfig;
  training: TrainingSettings & Record<string, unknown>;
  augment: AugmentSettings | null;
  dataset: {
    path: string;
    fingerprint: string;
    classNames: string[];
    /** The lab's split file (DATA_DIR/splits/…), recorded as the run's split key. */
    splitKey: string;
    split: DatasetSplit;
  };
}
