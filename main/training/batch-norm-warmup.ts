/**
 * Batch-norm moving statistics that are right from the first epoch.
 *
 * A BatchNormalization layer keeps an exponential moving average of each batch's mean and
 * variance, which validation and inference use. With momentum m (0.99 in Keras, 0.9 for the
 * small presets) the average needs ~1/(1−m) batches to forget its starting value: after one
 * short epoch it is still mostly its initializer, so validation of an early checkpoint sees
 * badly scaled activations (val_acc at chance, val_loss far above the training loss) although
 * the weights have learned. As TensorFlow's ExponentialMovingAverage does with `num_updates`,
 * the momentum starts low and rises to the configured value: step t uses
 * min(m, (1 + t) / (10 + t)). Once (1 + t)/(10 + t) ≥ m (81 batches for 0.9, 981 for 0.99) it
 * is exactly Keras' update; the weights are never affected, only the moving statistics.
 */

/** The momentum for training step `step` (0-based, counted over the whole run). */
export function warmMomentum(configured: number, step: number): number {
  return Math.min(configured, (1 + step) / (10 + step));
}

/** The part of a tfjs BatchNormalization layer this needs (its `momentum` is read on each training call). */
export interface MomentumLayer {
  momentum: number;
}

/**
 * Sets every batch-norm layer's momentum for `step`; `restore()` puts the configured values
 * back (before a checkpoint is saved, so model.json keeps the user's momentum).
 */
export function batchNormWarmup(layers: readonly MomentumLayer[]): { atStep(step: number): void; restore(): void } {
  const configured = layers.map((layer) => layer.momentum);
  return {
    atStep(step) {
      layers.forEach((layer, i) => (layer.momentum = warmMomentum(configured[i]!, step)));
    },
    restore() {
      layers.forEach((layer, i) => (layer.momentum = configured[i]!));
    },
  };
}
