import { describe, expect, it } from 'vitest';
import type { ModelDescription, ModelSummaryRow } from '../../main/contract';
import { modelConfigSchema } from '../../main/models/model-config-schema';
import { describeBlock, flowBands } from '../../renderer/src/components/model/flow-view';

const row = (name: string, type: string, outputShape: (number | null)[], params = 0): ModelSummaryRow => ({
  name,
  type,
  outputShape,
  params,
  connectedTo: [],
});

const rows: ModelSummaryRow[] = [
  row('input_layer', 'InputLayer', [null, 32, 32, 3]),
  row('block1_conv1', 'Conv2D', [null, 15, 15, 4], 108),
  row('block2_shortcut', 'Conv2D', [null, 8, 8, 16], 64),
  row('block2_sepconv1', 'SeparableConv2D', [null, 15, 15, 16], 100),
  row('block2_pool', 'MaxPooling2D', [null, 8, 8, 16]),
  row('block2_add', 'Add', [null, 8, 8, 16]),
  row('block3_sepconv1', 'SeparableConv2D', [null, 8, 8, 16], 300),
  row('block3_add', 'Add', [null, 8, 8, 16]),
  row('block4_sepconv1', 'SeparableConv2D', [null, 8, 8, 16], 300),
  row('block4_add', 'Add', [null, 8, 8, 16]),
  row('avg_pool', 'GlobalAveragePooling2D', [null, 16]),
  row('predictions', 'Dense', [null, 10], 170),
];

const model = {
  config: modelConfigSchema.parse({ inputSize: 32, classes: 10 }),
  summary: { name: 'xception', rows, totals: { params: 1042, trainableParams: 1000, nonTrainableParams: 42 } },
  cost: {
    batchSize: 32,
    flopsPerImage: 0,
    activationBytes: 0,
    params: 1042,
    paramBytes: 4168,
    layers: [
      { name: 'block1_conv1', flops: 1000, activationBytes: 0 },
      { name: 'block2_shortcut', flops: 200, activationBytes: 0 },
      { name: 'block2_sepconv1', flops: 300, activationBytes: 0 },
      { name: 'block3_sepconv1', flops: 50, activationBytes: 0 },
      { name: 'block4_sepconv1', flops: 50, activationBytes: 0 },
      { name: 'predictions', flops: 20, activationBytes: 0 },
    ],
  },
  flows: [
    {
      flow: 'entry',
      blocks: [
        { block: 'block1', layers: ['block1_conv1'] },
        { block: 'block2', layers: ['block2_shortcut', 'block2_sepconv1', 'block2_pool', 'block2_add'] },
      ],
    },
    {
      flow: 'middle',
      blocks: [
        { block: 'block3', layers: ['block3_sepconv1', 'block3_add'] },
        { block: 'block4', layers: ['block4_sepconv1', 'block4_add'] },
      ],
    },
    { flow: 'exit', blocks: [{ block: 'top', layers: ['avg_pool', 'predictions'] }] },
  ],
} satisfies ModelDescription;

describe('describeBlock', () => {
  it("names a block's convolutions, pooling and shortcut like the lecture's figure", () => {
    expect(describeBlock(rows.slice(2, 6))).toBe('SepConv 16 → MaxPool + 1×1 conv shortcut');
    expect(describeBlock(rows.slice(6, 8))).toBe('SepConv 16 + identity shortcut');
    expect(describeBlock(rows.slice(10))).toBe('GlobalAvgPool → Dense 10, softmax');
    expect(describeBlock([rows[1]!])).toBe('Conv 4');
  });
});

describe('flowBands', () => {
  const bands = flowBands(model);

  it('gives the three flows with their blocks, layers, output and FLOPs', () => {
    expect(bands.map((b) => b.flow)).toEqual(['entry', 'middle', 'exit']);
    const [entry] = bands;
    expect(entry?.blocks.map((b) => b.block)).toEqual(['block1', 'block2']);
    expect(entry?.blocks[1]?.layers.map((l) => l.name)).toEqual([
      'block2_shortcut',
      'block2_sepconv1',
      'block2_pool',
      'block2_add',
    ]);
    expect(entry?.blocks[1]?.output).toEqual([null, 8, 8, 16]);
    expect(entry?.blocks[1]?.flops).toBe(500);
    expect(entry?.blocks[1]?.params).toBe(164);
    expect(entry?.flops).toBe(1500);
  });

  it('shows the identical middle blocks once, with their count and the band total', () => {
    const middle = bands[1];
    expect(middle?.blocks).toHaveLength(1);
    expect(middle?.blocks[0]).toMatchObject({ block: 'block3', title: 'block3–block4', repeats: 2, flops: 50 });
    expect(middle?.blockCount).toBe(2);
    expect(middle?.flops).toBe(100);
  });

  it('calls the top block the head', () => {
    expect(bands[2]?.blocks[0]).toMatchObject({
      block: 'top',
      title: 'Head',
      description: 'GlobalAvgPool → Dense 10, softmax',
    });
  });
});
