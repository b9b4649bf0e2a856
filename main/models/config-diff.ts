/** One field whose value differs between two configs. */
export interface ConfigChange {
  field: string;
  before: unknown;
  after: unknown;
}

const labels: Record<string, string> = {
  blockStyle: 'block style',
  middleRepeats: 'middle repeats',
  widthMultiplier: 'width multiplier α',
  inputSize: 'input size',
  entryWidths: 'entry widths',
  exitBlockWidths: 'exit block widths',
  exitConvWidths: 'exit conv widths',
  stemWidths: 'stem widths',
  middleWidth: 'middle width',
  learningRate: 'learning rate',
  batchSize: 'batch size',
  weightDecay: 'weight decay',
  labelSmoothing: 'label smoothing',
  classWeights: 'class weights',
  monitor: 'best epoch by (monitor)',
  earlyStoppingPatience: 'early-stopping patience',
  restoreBestWeights: 'restore best weights',
  valFraction: 'validation fraction',
  testFraction: 'test fraction',
};

/** A config field's readable name (`blockStyle` → `block style`); unknown fields keep their name. */
export function fieldLabel(field: string): string {
  return labels[field] ?? field;
}

/** Only what differs between two flat configs (arrays compared by value), in field order of `a` then `b`. Pure. */
export function diffConfigs(
  a: Readonly<Record<string, unknown>>,
  b: Readonly<Record<string, unknown>>,
): ConfigChange[] {
  const fields = [...new Set([...Object.keys(a), ...Object.keys(b)])];
  return fields
    .filter((field) => JSON.stringify(a[field]) !== JSON.stringify(b[field]))
    .map((field) => ({ field, before: a[field], after: b[field] }));
}

/** "block style: seed → keras", "middle repeats: 8 → 4". */
export function describeChange(change: ConfigChange): string {
  const show = (v: unknown): string => (v === undefined ? '(unset)' : Array.isArray(v) ? v.join(', ') : String(v));
  return `${fieldLabel(change.field)}: ${show(change.before)} → ${show(change.after)}`;
}
