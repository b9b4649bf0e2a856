/**
 * The flow diagram's content, worked out from a `ModelDescription`: Entry / Middle / Exit bands,
 * one repeated middle block shown once with its count, each block's layers (with their rows of
 * the summary), a one-line description and its FLOPs. Pure: tested in test/renderer/flow-view.test.ts.
 */
import type { ModelDescription, ModelSummaryRow } from '../../../../main/contract';

export type FlowName = 'entry' | 'middle' | 'exit';

export interface BlockView {
  /** `block2`, or `top` for the head. */
  block: string;
  /** What the diagram calls it: "block2", "block5–block12", "Head". */
  title: string;
  /** How many identical blocks this one stands for (the middle flow's repeats), else 1. */
  repeats: number;
  /** "SepConv 128 → SepConv 128 → MaxPool + 1×1 conv shortcut". */
  description: string;
  layers: ModelSummaryRow[];
  /** Output of the block's last layer. */
  output: (number | null)[] | undefined;
  /** FLOPs per image of one block. */
  flops: number;
  params: number;
}

export interface BandView {
  flow: FlowName;
  title: string;
  blocks: BlockView[];
  /** FLOPs per image of the whole band (repeats included). */
  flops: number;
  /** Blocks in the band (repeats included). */
  blockCount: number;
}

const flowTitles: Record<FlowName, string> = { entry: 'Entry flow', middle: 'Middle flow', exit: 'Exit flow' };

const channels = (row: ModelSummaryRow): string => String(row.outputShape.at(-1) ?? '?');

/** One line for a block, in the words of the lecture's figure. */
export function describeBlock(rows: readonly ModelSummaryRow[]): string {
  const steps: string[] = [];
  let shortcut = '';
  for (const row of rows) {
    const isShortcut = row.name.includes('shortcut');
    switch (row.type) {
      case 'Conv2D':
        if (isShortcut) shortcut = ' + 1×1 conv shortcut';
        else steps.push(`Conv ${channels(row)}`);
        break;
      case 'SeparableConv2D':
        steps.push(`SepConv ${channels(row)}`);
        break;
      case 'MaxPooling2D':
        steps.push('MaxPool');
        break;
      case 'GlobalAveragePooling2D':
        steps.push('GlobalAvgPool');
        break;
      case 'Dropout':
        steps.push('Dropout');
        break;
      case 'Dense':
        steps.push(`Dense ${channels(row)}, softmax`);
        break;
      case 'Add':
        if (!shortcut) shortcut = ' + identity shortcut';
        break;
    }
  }
  return `${steps.join(' → ')}${shortcut}`;
}

/** The bands of the flow diagram. The middle flow's blocks are identical, so one stands for all. */
export function flowBands(model: ModelDescription): BandView[] {
  const rows = new Map(model.summary.rows.map((row) => [row.name, row]));
  const flops = new Map(model.cost.layers.map((layer) => [layer.name, layer.flops]));
  return model.flows.map((flow): BandView => {
    const all = flow.blocks.map((block): BlockView => {
      const layers = block.layers
        .map((name) => rows.get(name))
        .filter((row): row is ModelSummaryRow => row !== undefined);
      return {
        block: block.block,
        title: block.block === 'top' ? 'Head' : block.block,
        repeats: 1,
        description: describeBlock(layers),
        layers,
        output: layers.at(-1)?.outputShape,
        flops: block.layers.reduce((sum, name) => sum + (flops.get(name) ?? 0), 0),
        params: layers.reduce((sum, row) => sum + row.params, 0),
      };
    });
    const bandFlops = all.reduce((sum, b) => sum + b.flops, 0);
    let blocks = all;
    if (flow.flow === 'middle' && all.length > 1) {
      const first = all[0]!;
      const last = all[all.length - 1]!;
      blocks = [{ ...first, title: `${first.block}–${last.block}`, repeats: all.length }];
    }
    return { flow: flow.flow, title: flowTitles[flow.flow], blocks, flops: bandFlops, blockCount: all.length };
  });
}
