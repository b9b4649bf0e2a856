import type { ModelConfig } from './model-config-schema';

/**
 * The architecture as data: every layer of an Xception-family network with its Keras name, its
 * hyper-parameters and the layers it reads from. `buildXception` turns a plan into tfjs layers;
 * shape inference, the minimum input size, cost estimates and the flow diagram read the same
 * plan, so the network is described once.
 */

export type Flow = 'entry' | 'middle' | 'exit';
export type Padding = 'same' | 'valid';

interface LayerBase {
  /** Keras-style layer name, unique in the model (`block2_sepconv1_bn`). */
  name: string;
  /** Names of the layers this one reads from (two for `add`, none for `input`). */
  inputs: string[];
  flow: Flow;
  /** The block it belongs to in the flow diagram: `block1` … `block14`, or `top` for the head. */
  block: string;
}

export type LayerSpec = LayerBase &
  (
    | { kind: 'input'; size: number; channels: number }
    | { kind: 'conv'; filters: number; kernel: number; strides: number; padding: Padding }
    | { kind: 'sepconv'; filters: number; kernel: number; padding: 'same' }
    | { kind: 'batchnorm' }
    | { kind: 'relu' }
    | { kind: 'maxpool'; pool: number; strides: number; padding: Padding }
    | { kind: 'add' }
    | { kind: 'globalavgpool' }
    | { kind: 'dropout'; rate: number }
    | { kind: 'dense'; units: number; activation: 'softmax' }
  );

export type LayerKind = LayerSpec['kind'];

export interface XceptionPlan {
  config: ModelConfig;
  /** In build order: every layer comes after the layers it reads from. */
  layers: LayerSpec[];
  /** Name of the output layer (`predictions`, or `avg_pool` without the top). */
  output: string;
}

/** α × width, rounded to whole channels: the one rule every width of the network follows. */
export function scaleWidth(width: number, widthMultiplier: number): number {
  return Math.round(width * widthMultiplier);
}

/** Where a separable conv's ReLU goes: Keras pre-activation, post-activation (seed style, Keras block14), or none. */
type ReluPlacement = 'before' | 'after' | 'none';

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
/** A layer as the helpers describe it; `add` stamps the current flow and block on it. */
type NewLayer = DistributiveOmit<LayerSpec, 'flow' | 'block'>;

/**
 * Plans the network for a validated config (see `validateModelConfig`). Block numbers follow
 * Keras: block1 is the stem, then one block per entry width, one per middle repeat, then the
 * exit block and the last two separable convs (block2…4, 5…12, 13, 14 for the defaults).
 */
export function planXception(config: ModelConfig): XceptionPlan {
  const layers: LayerSpec[] = [];
  let flow: Flow = 'entry';
  let block = 'block1';
  const add = (layer: NewLayer): string => {
    layers.push({ ...layer, flow, block } as LayerSpec);
    return layer.name;
  };
  const w = (channels: number): number => scaleWidth(channels, config.widthMultiplier);
  const keras = config.blockStyle === 'keras';
  const stemPadding: Padding = keras ? 'valid' : 'same';

  // Conv → BN → ReLU (the stem, both styles).
  const convUnit = (prefix: string, filters: number, strides: number, x: string): string => {
    x = add({ kind: 'conv', name: prefix, inputs: [x], filters, kernel: 3, strides, padding: stemPadding });
    x = add({ kind: 'batchnorm', name: `${prefix}_bn`, inputs: [x] });
    return add({ kind: 'relu', name: `${prefix}_act`, inputs: [x] });
  };

  // SeparableConv → BN with the ReLU where the style puts it; the shared block helper.
  const sepUnit = (prefix: string, filters: number, relu: ReluPlacement, x: string): string => {
    if (relu === 'before') x = add({ kind: 'relu', name: `${prefix}_act`, inputs: [x] });
    x = add({ kind: 'sepconv', name: prefix, inputs: [x], filters, kernel: 3, padding: 'same' });
    x = add({ kind: 'batchnorm', name: `${prefix}_bn`, inputs: [x] });
    if (relu === 'after') x = add({ kind: 'relu', name: `${prefix}_act`, inputs: [x] });
    return x;
  };
  const styleRelu: ReluPlacement = keras ? 'before' : 'after';

  // Two separable convs, 3×3/2 max pool, plus a 1×1/2 conv + BN shortcut.
  const downsamplingBlock = (n: number, widths: [number, number], firstRelu: ReluPlacement, x: string): string => {
    block = `block${n}`;
    let shortcut = add({
      kind: 'conv',
      name: `${block}_shortcut`,
      inputs: [x],
      filters: widths[1],
      kernel: 1,
      strides: 2,
      padding: 'same',
    });
    shortcut = add({ kind: 'batchnorm', name: `${block}_shortcut_bn`, inputs: [shortcut] });
    let y = sepUnit(`${block}_sepconv1`, widths[0], firstRelu, x);
    y = sepUnit(`${block}_sepconv2`, widths[1], styleRelu, y);
    y = add({ kind: 'maxpool', name: `${block}_pool`, inputs: [y], pool: 3, strides: 2, padding: 'same' });
    return add({ kind: 'add', name: `${block}_add`, inputs: [y, shortcut] });
  };

  // Three separable convs with an identity shortcut.
  const identityBlock = (n: number, width: number, x: string): string => {
    block = `block${n}`;
    let y = x;
    for (let k = 1; k <= 3; k++) y = sepUnit(`${block}_sepconv${k}`, width, styleRelu, y);
    return add({ kind: 'add', name: `${block}_add`, inputs: [y, x] });
  };

  let x = add({ kind: 'input', name: 'input_layer', inputs: [], size: config.inputSize, channels: 3 });
  x = convUnit('block1_conv1', w(config.stemWidths[0]), 2, x);
  x = convUnit('block1_conv2', w(config.stemWidths[1]), 1, x);

  let n = 2;
  for (const [i, width] of config.entryWidths.entries()) {
    // Keras: the stem already ends in a ReLU, so the first separable conv has none before it.
    const firstRelu: ReluPlacement = keras && i === 0 ? 'none' : styleRelu;
    x = downsamplingBlock(n++, [w(width), w(width)], firstRelu, x);
  }

  flow = 'middle';
  for (let r = 0; r < config.middleRepeats; r++) x = identityBlock(n++, w(config.middleWidth), x);

  flow = 'exit';
  const [exit1, exit2] = config.exitBlockWidths;
  x = downsamplingBlock(n++, [w(exit1), w(exit2)], styleRelu, x);
  block = `block${n}`;
  x = sepUnit(`${block}_sepconv1`, w(config.exitConvWidths[0]), 'after', x);
  x = sepUnit(`${block}_sepconv2`, w(config.exitConvWidths[1]), 'after', x);

  block = 'top';
  x = add({ kind: 'globalavgpool', name: 'avg_pool', inputs: [x] });
  if (config.includeTop) {
    if (config.dropout > 0) x = add({ kind: 'dropout', name: 'top_dropout', inputs: [x], rate: config.dropout });
    x = add({ kind: 'dense', name: 'predictions', inputs: [x], units: config.classes, activation: 'softmax' });
  }
  return { config, layers, output: x };
}

export interface FlowOutline {
  flow: Flow;
  blocks: { block: string; layers: string[] }[];
}

/** Entry / Middle / Exit with their blocks and each block's layers, for the flow diagram. */
export function outlineFlows(plan: XceptionPlan): FlowOutline[] {
  const flows: FlowOutline[] = [];
  for (const layer of plan.layers) {
    if (layer.kind === 'input') continue;
    let flow = flows[flows.length - 1];
    if (flow?.flow !== layer.flow) flows.push((flow = { flow: layer.flow, blocks: [] }));
    let block = flow.blocks[flow.blocks.length - 1];
    if (block?.block !== layer.block) flow.blocks.push((block = { block: layer.block, layers: [] }));
    block.layers.push(layer.name);
  }
  return flows;
}
