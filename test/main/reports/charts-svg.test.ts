import { describe, expect, it } from 'vitest';
import sharp from 'sharp';
import { confusionMatrixSvg, curveCharts, niceTicks, palette } from '../../../main/reports/charts-svg';
import { svgToPng } from '../../../main/reports/report-markdown';

const xss = '<img src=x onerror=alert(1)>';
const epoch = (e: number, loss: number | null, val_loss: number | null) => ({
  epoch: e,
  loss,
  acc: 0.5,
  val_loss,
  val_acc: 0.6,
});

describe('niceTicks', () => {
  it('gives round steps covering the range', () => {
    expect(niceTicks(0, 1)).toEqual([0, 0.2, 0.4, 0.6, 0.8, 1]);
    expect(niceTicks(0, 2.3)).toEqual([0, 0.5, 1, 1.5, 2]);
    expect(niceTicks(1, 20, 10, true)).toEqual([2, 4, 6, 8, 10, 12, 14, 16, 18, 20]);
    expect(niceTicks(1, 3, 2, true)).toEqual([1, 2, 3]);
  });
});

describe('curve charts', () => {
  const curves = [
    { runId: 'a', model: 'Custom V3', epochs: [epoch(0, 2, 1.9), epoch(1, 1.2, null), epoch(2, 0.8, 1.3)] },
    { runId: 'b', model: xss, epochs: [epoch(0, 1.5, 1.4)] },
  ];

  it('draws training dashed and validation solid, one colour per run, with an escaped legend', () => {
    const { loss, accuracy } = curveCharts(curves);
    const paths = [
      ...loss.matchAll(/<path d="([^"]+)" fill="none" stroke="([^"]+)" stroke-width="2"( stroke-dasharray="6 4")?>/g),
    ];
    expect(paths.map((p) => [p[2], Boolean(p[3])])).toEqual([
      [palette[0], true],
      [palette[0], false],
      [palette[1], true],
      [palette[1], false],
    ]);
    // A missing val_loss breaks the validation line into two pieces.
    expect(paths[1]![1]!.match(/M/g)).toHaveLength(2);
    expect(loss).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(loss + accuracy).not.toContain('<img');
    expect(accuracy).toContain('>Accuracy</text>');
  });

  it('is valid SVG that rasterises, even with no epochs at all', async () => {
    const { loss } = curveCharts(curves);
    const empty = curveCharts([{ runId: 'c', model: 'Empty', epochs: [] }]);
    for (const svg of [loss, empty.loss, empty.accuracy]) {
      const meta = await sharp(await svgToPng(svg)).metadata();
      expect(meta.format).toBe('png');
      expect(meta.width).toBe(1440); // 720 px at 2×
    }
  });
});

describe('confusion matrix', () => {
  it('shows counts, escaped class names, and scales to many classes', async () => {
    const svg = confusionMatrixSvg(
      [xss, 'rose'],
      [
        [3, 1],
        [0, 4],
      ],
      'Confusion matrix',
    );
    expect(svg).toContain('>3</text>');
    expect(svg).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(svg).not.toContain('<img');
    const names = Array.from({ length: 120 }, (_, i) => `c${i}`);
    const big = confusionMatrixSvg(
      names,
      names.map((_, r) => names.map((_, c) => (r === c ? 5 : 0))),
      'Confusion matrix',
    );
    expect((big.match(/<rect /g) ?? []).length).toBe(120 * 120 + 2); // too small for the diagonal's squares
    expect(big).not.toContain('<title>'); // too many cells for tooltips
    expect((await sharp(await svgToPng(big)).metadata()).format).toBe('png');
  });

  it('outlines the diagonal with separate squares drawn over every cell, not with cell strokes', () => {
    const names = ['a', 'b', 'c'];
    const svg = confusionMatrixSvg(
      names,
      [
        [3, 1, 0],
        [0, 4, 1],
        [1, 0, 5],
      ],
      'Confusion matrix',
    );
    const cells = svg.match(/<rect [^>]*fill="#[0-9a-f]{6}"[^>]*>/g) ?? [];
    expect(cells.filter((rect) => /stroke=/.test(rect))).toEqual([]);
    const diagonal =
      /<g class="diagonal" fill="none" stroke="#111111" stroke-width="1">((?:<rect [^>]*\/>)+)<\/g>/.exec(svg);
    expect(diagonal).not.toBeNull();
    const squares = [...diagonal![1]!.matchAll(/x="([\d.]+)" y="([\d.]+)" width="([\d.]+)"/g)].map((m) =>
      m.slice(1).map(Number),
    );
    expect(squares).toHaveLength(3);
    // Each inside its own cell: no two touch, so they cannot join into a staircase.
    for (let i = 1; i < squares.length; i++)
      expect(squares[i]![0]!).toBeGreaterThan(squares[i - 1]![0]! + squares[i - 1]![2]!);
    expect(svg.lastIndexOf(cells[cells.length - 1]!)).toBeLessThan(svg.indexOf('class="diagonal"'));
  });
});

describe('the fine-tuning marker', () => {
  it('draws a labelled dotted line between the last head epoch and the first fine-tuning one', () => {
    const fineTuned = [
      {
        runId: 'a',
        model: 'xception <ft>',
        epochs: [epoch(0, 2, 1.9), epoch(1, 1.2, 1.1), epoch(2, 0.8, 0.9)],
        fineTuneFrom: 2,
      },
    ];
    const { loss, accuracy } = curveCharts(fineTuned, 460);
    for (const svg of [loss, accuracy]) {
      expect(svg).toContain('stroke-dasharray="2 3"><title>fine-tuning →</title></line>');
      expect(svg).toContain('>fine-tuning →</text>');
    }
    const several = curveCharts([...fineTuned, { runId: 'b', model: 'other', epochs: [epoch(0, 1, 1)] }]);
    expect(several.loss).toContain('fine-tuning: xception &lt;ft&gt;');
    expect(curveCharts([{ runId: 'b', model: 'other', epochs: [epoch(0, 1, 1)] }]).loss).not.toContain('fine-tuning');
  });
});
