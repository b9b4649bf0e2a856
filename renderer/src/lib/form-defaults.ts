/**
 * What the Model and Train pages start with, in one place so both show the same model and the
 * same number of epochs: the micro preset (a first run on the bundled sample takes minutes on the
 * JavaScript engine, not hours) for 5 epochs. Every other training setting is the engine's
 * default (`checkTrainingSettings({})`). Pure, so unit-tested.
 */

export const startingPreset = 'micro';

export const startingEpochs = 5;

/** The engine's training defaults with the lab's starting values on top. */
export function startingTraining(engineDefaults: Readonly<Record<string, unknown>>): Record<string, unknown> {
  return { ...engineDefaults, epochs: startingEpochs };
}

/** What the Model page needs of the dataset it follows. */
export interface FollowedDataset {
  /** The folder's name. */
  name: string;
  /** Classes with usable images: the classifier's outputs. */
  classes: number;
}

/** A scanned dataset as the Model page follows it: only classes with usable images count. */
export function followedDataset(report: { root: string; classes: readonly { images: number }[] }): FollowedDataset {
  const name =
    report.root
      .split(/[\\/]/)
      .filter((part) => part !== '')
      .pop() ?? report.root;
  return { name, classes: report.classes.filter((c) => c.images > 0).length };
}

/**
 * The Model page's classes field once the followed dataset changes from `before` to `after`: the
 * new dataset's count (the preset's without one), unless the field holds a count the user typed.
 */
export function followedClasses(
  typed: string,
  presetClasses: number,
  before: FollowedDataset | null,
  after: FollowedDataset | null,
): string {
  if (typed.trim() !== String(before?.classes ?? presetClasses)) return typed;
  return String(after?.classes ?? presetClasses);
}
