/**
 * The phases of a run and what each trains: one phase normally; with `fineTune`, the head
 * phase (the flows in `freeze` frozen) up to `afterEpoch`, then the fine-tuning phase with the
 * `unfreeze` flows trainable again at the fine-tuning learning rate. Each phase follows the
 * schedule on its own epochs. And whether a phase can train from cached features. Pure.
 */
import type { AugmentSettings } from '../dataset/image/augment';
import { scheduledLearningRate, type FreezableFlow, type TrainingSettings } from '../models/training-settings';
import type { XceptionPlan } from '../models/xception-plan';
import { frozenPrefix, type FrozenPrefix } from './frozen-prefix';

export interface TrainingPhase {
  /** 1, or 2 for fine-tuning's second phase. */
  phase: 1 | 2;
  /** First epoch of the phase (0-based) and the epoch after its last. */
  from: number;
  to: number;
  frozen: FreezableFlow[];
  learningRate: number;
}

export function trainingPhases(settings: TrainingSettings): TrainingPhase[] {
  const head: TrainingPhase = {
    phase: 1,
    from: 0,
    to: settings.epochs,
    frozen: [...settings.freeze],
    learningRate: settings.learningRate,
  };
  const ft = settings.fineTune;
  if (!ft || ft.afterEpoch >= settings.epochs) return [head];
  return [
    { ...head, to: ft.afterEpoch },
    {
      phase: 2,
      from: ft.afterEpoch,
      to: settings.epochs,
      frozen: settings.freeze.filter((flow) => !ft.unfreeze.includes(flow)),
      learningRate: ft.learningRate,
    },
  ];
}

/** The phase epoch `epoch` (0-based) belongs to. */
export function phaseOf(phases: readonly TrainingPhase[], epoch: number): TrainingPhase {
  return phases.find((p) => epoch < p.to) ?? phases[phases.length - 1]!;
}

/** The scheduled learning rate of `epoch` within its phase (the schedule restarts with each phase). */
export function phaseLearningRate(settings: TrainingSettings, phase: TrainingPhase, epoch: number): number {
  return scheduledLearningRate(
    { ...settings, learningRate: phase.learningRate, epochs: phase.to - phase.from },
    Math.max(0, epoch - phase.from),
  );
}

export type CacheDecision = { use: true; prefix: FrozenPrefix } | { use: false; reason: string };

const augmenting = (augment: AugmentSettings | null): boolean =>
  augment !== null &&
  (augment.flip ||
    augment.rotation > 0 ||
    augment.zoom > 0 ||
    augment.brightness > 0 ||
    augment.contrast > 0 ||
    augment.noise > 0);

/**
 * Whether a phase trains from cached features of its frozen prefix, and why not. Undefined
 * when nothing is frozen (nothing to say).
 */
export function featureCacheDecision(
  plan: XceptionPlan,
  frozen: readonly FreezableFlow[],
  augment: AugmentSettings | null,
): CacheDecision | undefined {
  if (frozen.length === 0) return undefined;
  const prefix = frozenPrefix(plan, frozen);
  if (!prefix) {
    return {
      use: false,
      reason: frozen.includes('entry')
        ? 'every layer up to the classifier is frozen, there is nothing after the frozen base to train from features'
        : `the entry flow is not frozen (frozen: ${frozen.join(', ')}) — features are cached for the frozen flows from the input on; training the full forward pass`,
    };
  }
  if (augmenting(augment))
    return { use: false, reason: 'augmentation is on, features vary per epoch — training the full forward pass' };
  return { use: true, prefix };
}
