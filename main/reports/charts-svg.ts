/**
 * Report charts as self-contained SVG: loss and accuracy curves of several runs (one colour per
 * run, training dashed, validation solid, a legend) and confusion-matrix heat maps. No scripts,
 * no external fonts or images, every name escaped, so the same markup works inline in HTML,
 * printed to PDF, and rasterised to PNG (sharp/librsvg) for Markdown. Pure.
 */
import type { Comparison, EpochSummary } from '../contract';
import { escapeHtml } from './format';

/** One colour per run, in the order of the comparison (a colour-blind-friendly set, Okabe–Ito first). */
export const palette = [
  '#0072b2',
  '#d55e00',
  '#009e73',
  '#cc79a7',
  '#e69f00',
  '#56b4e9',
  '#332288',
  '#882255',
  '#117733',
  '#666666',
] as const;
export const runColour = (index: number): string => palette[index % palette.length]!;

const font = 'DejaVu Sans, Helvetica, Arial, sans-serif';
const axisColour = '#444444';
const gridColour = '#e3e3e3';

export interface ChartSeries {
  name: string;
  colour: string;
  dashed: boolean;
  /** x: 1-based epoch; y null: no value (the line breaks). */
  points: { x: number; y: number | null }[];
}

export interface LineChartOptions {
  title: string;
  xLabel: string;
  yLabel: string;
  series: ChartSeries[];
  /** One entry per run: its name and colour. */
  legend: { name: string; colour: string }[];
  /** Vertical dotted lines at x (1-based epochs; between two epochs: x.5), labelled at the top. */
  markers?: { x: number; label: string; colour: string }[];
  /** Fixed y range (accuracy: 0–1); otherwise 0 (or the lowest value, if negative) to a round number above the highest. */
  yRange?: [number, number];
  width?: number;
}

/** Round tick values covering [min, max]: steps of 1, 2 or 5 × 10ⁿ, about `count` of them. */
export function niceTicks(min: number, max: number, count = 5, integer = false): number[] {
  if (!(max > min)) max = min + 1;
  const raw = (max - min) / Math.max(1, count);
  const power = 10 ** Math.floor(Math.log10(raw));
  const fraction = raw / power;
  let step = (fraction <= 1 ? 1 : fraction <= 2 ? 2 : fraction <= 5 ? 5 : 10) * power;
  if (integer) step = Math.max(1, Math.round(step));
  const first = Math.ceil(min / step - 1e-9) * step;
  const ticks: number[] = [];
  for (let v = first; v <= max + step * 1e-9; v += step) ticks.push(Number(v.toPrecision(12)));
  return ticks;
}

const tickLabel = (v: number): string => (Number.isInteger(v) ? String(v) : String(Number(v.toPrecision(6))));
const fmt = (v: number): string => (Math.round(v * 10) / 10).toString();

/** Shortens a name for a legend or axis label (the full name is in the report's tables). */
export function truncate(text: string, max: number): string {
  const chars = [...text];
  return chars.length <= max ? text : `${chars.slice(0, max - 1).join('')}…`;
}

/** An approximate width of text in pixels at `size` (librsvg and Chromium agree closely enough for layout). */
const textWidth = (text: string, size: number): number => [...text].length * size * 0.6;

/** A line chart with axes, ticks, grid, a run legend and a key for the line styles. */
export function lineChartSvg(options: LineChartOptions): string {
  const width = options.width ?? 720;
  const legendItems = options.legend.map((item) => ({ ...item, label: truncate(item.name, 48) }));
  // Legend rows: items flow left to right under the plot.
  const legendRows: (typeof legendItems)[] = [[]];
  let rowWidth = 0;
  for (const item of legendItems) {
    const itemWidth = 34 + textWidth(item.label, 12) + 18;
    if (rowWidth + itemWidth > width - 60 && legendRows.at(-1)!.length > 0) {
      legendRows.push([]);
      rowWidth = 0;
    }
    legendRows.at(-1)!.push(item);
    rowWidth += itemWidth;
  }
  const margin = { left: 64, right: 20, top: 40, bottom: 46 };
  const plotHeight = 240;
  const legendTop = margin.top + plotHeight + margin.bottom;
  const height = legendTop + legendRows.length * 20 + 8;
  const plotWidth = width - margin.left - margin.right;

  const xs = options.series.flatMap((s) => s.points.map((p) => p.x));
  const ys = options.series
    .flatMap((s) => s.points.map((p) => p.y))
    .filter((y): y is number => y !== null && Number.isFinite(y));
  const xMax = Math.max(2, ...xs);
  const xTicks = niceTicks(1, xMax, Math.min(10, xMax - 1), true).filter((t) => t >= 1);
  let [yMin, yMax] = options.yRange ?? [Math.min(0, ...ys), ys.length > 0 ? Math.max(...ys) : 1];
  if (!options.yRange) {
    // Widen to whole tick steps so the highest value sits under a labelled grid line.
    const ticks = niceTicks(yMin, yMax > yMin ? yMax : yMin + 1);
    const step = ticks.length > 1 ? ticks[1]! - ticks[0]! : 1;
    yMin = Math.floor(yMin / step + 1e-9) * step;
    yMax = Math.ceil((yMax > yMin ? yMax : yMin + 1) / step - 1e-9) * step;
  }
  const yTicks = niceTicks(yMin, yMax).filter((t) => t >= yMin - 1e-9 && t <= yMax + 1e-9);
  const x = (v: number): number => margin.left + ((v - 1) / (xMax - 1)) * plotWidth;
  const y = (v: number): number => margin.top + plotHeight - ((v - yMin) / (yMax - yMin)) * plotHeight;

  const parts: string[] = [];
  parts.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="${font}" font-size="12" role="img" aria-label="${escapeHtml(options.title)}">`,
    `<rect width="${width}" height="${height}" fill="#ffffff"/>`,
    `<text x="${margin.left}" y="22" font-size="15" font-weight="bold" fill="#111111">${escapeHtml(options.title)}</text>`,
  );
  // Line-style key, top right.
  const keyX = width - margin.right - 190;
  parts.push(
    `<line x1="${keyX}" y1="18" x2="${keyX + 28}" y2="18" stroke="${axisColour}" stroke-width="2"/>`,
    `<text x="${keyX + 34}" y="22" fill="${axisColour}">validation</text>`,
    `<line x1="${keyX + 104}" y1="18" x2="${keyX + 132}" y2="18" stroke="${axisColour}" stroke-width="2" stroke-dasharray="6 4"/>`,
    `<text x="${keyX + 138}" y="22" fill="${axisColour}">training</text>`,
  );
  for (const t of yTicks) {
    parts.push(
      `<line x1="${margin.left}" y1="${fmt(y(t))}" x2="${margin.left + plotWidth}" y2="${fmt(y(t))}" stroke="${gridColour}"/>`,
      `<text x="${margin.left - 8}" y="${fmt(y(t) + 4)}" text-anchor="end" fill="${axisColour}">${tickLabel(t)}</text>`,
    );
  }
  for (const t of xTicks) {
    parts.push(
      `<line x1="${fmt(x(t))}" y1="${margin.top + plotHeight}" x2="${fmt(x(t))}" y2="${margin.top + plotHeight + 5}" stroke="${axisColour}"/>`,
      `<text x="${fmt(x(t))}" y="${margin.top + plotHeight + 19}" text-anchor="middle" fill="${axisColour}">${tickLabel(t)}</text>`,
    );
  }
  parts.push(
    `<line x1="${margin.left}" y1="${margin.top}" x2="${margin.left}" y2="${margin.top + plotHeight}" stroke="${axisColour}"/>`,
    `<line x1="${margin.left}" y1="${margin.top + plotHeight}" x2="${margin.left + plotWidth}" y2="${margin.top + plotHeight}" stroke="${axisColour}"/>`,
    `<text x="${margin.left + plotWidth / 2}" y="${margin.top + plotHeight + 38}" text-anchor="middle" fill="${axisColour}">${escapeHtml(options.xLabel)}</text>`,
    `<text transform="translate(16 ${margin.top + plotHeight / 2}) rotate(-90)" text-anchor="middle" fill="${axisColour}">${escapeHtml(options.yLabel)}</text>`,
  );
  for (const marker of options.markers ?? []) {
    if (marker.x < 1 || marker.x > xMax) continue;
    const mx = fmt(x(marker.x));
    parts.push(
      `<line x1="${mx}" y1="${margin.top}" x2="${mx}" y2="${margin.top + plotHeight}" stroke="${marker.colour}" stroke-width="1.5" stroke-dasharray="2 3"><title>${escapeHtml(marker.label)}</title></line>`,
      `<text x="${fmt(x(marker.x) + 4)}" y="${margin.top + 12}" font-size="11" fill="${marker.colour}">${escapeHtml(marker.label)}</text>`,
    );
  }
  for (const series of options.series) {
    let d = '';
    let pen = false;
    for (const p of series.points) {
      if (p.y === null || !Number.isFinite(p.y)) {
        pen = false;
        continue;
      }
      d += `${pen ? 'L' : 'M'}${fmt(x(p.x))} ${fmt(y(p.y))}`;
      pen = true;
    }
    const dash = series.dashed ? ' stroke-dasharray="6 4"' : '';
    if (d)
      parts.push(
        `<path d="${d}" fill="none" stroke="${series.colour}" stroke-width="2"${dash}><title>${escapeHtml(series.name)}</title></path>`,
      );
    for (const p of series.points) {
      if (p.y === null || !Number.isFinite(p.y)) continue;
      parts.push(
        `<circle cx="${fmt(x(p.x))}" cy="${fmt(y(p.y))}" r="2.5" fill="${series.dashed ? '#ffffff' : series.colour}" stroke="${series.colour}" stroke-width="1.5"/>`,
      );
    }
  }
  legendRows.forEach((row, r) => {
    let lx = margin.left;
    const ly = legendTop + r * 20 + 10;
    for (const item of row) {
      parts.push(
        `<line x1="${fmt(lx)}" y1="${ly}" x2="${fmt(lx + 26)}" y2="${ly}" stroke="${item.colour}" stroke-width="3"/>`,
        `<text x="${fmt(lx + 32)}" y="${ly + 4}" fill="#111111">${escapeHtml(item.label)}</text>`,
      );
      lx += 34 + textWidth(item.label, 12) + 18;
    }
  });
  parts.push('</svg>');
  return parts.join('');
}

type Curves = Comparison['curves'];

function seriesOf(curves: Curves, train: keyof EpochSummary, val: keyof EpochSummary): ChartSeries[] {
  return curves.flatMap((curve, i) => [
    {
      name: `${curve.model} (training)`,
      colour: runColour(i),
      dashed: true,
      points: curve.epochs.map((e) => ({ x: e.epoch + 1, y: e[train] })),
    },
    {
      name: `${curve.model} (validation)`,
      colour: runColour(i),
      dashed: false,
      points: curve.epochs.map((e) => ({ x: e.epoch + 1, y: e[val] })),
    },
  ]);
}

/** Where each fine-tuned run's second phase starts: between its last head epoch and its first fine-tuning one. */
function fineTuneMarkers(curves: Curves): NonNullable<LineChartOptions['markers']> {
  return curves.flatMap((curve, i) =>
    curve.fineTuneFrom === undefined
      ? []
      : [
          {
            x: curve.fineTuneFrom + 0.5,
            label: curves.length > 1 ? `fine-tuning: ${truncate(curve.model, 24)}` : 'fine-tuning →',
            colour: runColour(i),
          },
        ],
  );
}

/** The overlaid loss and accuracy curves of the compared runs, with a marker where fine-tuning starts. */
export function curveCharts(curves: Curves, width?: number): { loss: string; accuracy: string } {
  const legend = curves.map((curve, i) => ({ name: curve.model, colour: runColour(i) }));
  const markers = fineTuneMarkers(curves);
  const size = width === undefined ? { markers } : { width, markers };
  return {
    loss: lineChartSvg({
      title: 'Loss',
      xLabel: 'epoch',
      yLabel: 'loss',
      series: seriesOf(curves, 'loss', 'val_loss'),
      legend,
      ...size,
    }),
    accuracy: lineChartSvg({
      title: 'Accuracy',
      xLabel: 'epoch',
      yLabel: 'accuracy',
      series: seriesOf(curves, 'acc', 'val_acc'),
      legend,
      yRange: [0, 1],
      ...size,
    }),
  };
}

/** White → dark blue. */
function heat(v: number): string {
  const mix = (a: number, b: number): number => Math.round(a + (b - a) * v);
  const hex = (n: number): string => n.toString(16).padStart(2, '0');
  return `#${hex(mix(255, 8))}${hex(mix(255, 69))}${hex(mix(255, 148))}`;
}

/**
 * A confusion matrix as a heat map: rows are true classes, columns predictions, each row's
 * colour scaled by its own total (so small classes show their errors too), counts in the cells
 * when they fit.
 */
export function confusionMatrixSvg(
  classNames: readonly string[],
  confusion: readonly (readonly number[])[],
  title: string,
): string {
  const n = classNames.length;
  const cell = Math.max(4, Math.min(40, Math.floor(560 / Math.max(1, n))));
  const showLabels = cell >= 8;
  const showCounts = cell >= 24;
  const withTitles = n <= 30;
  const labels = classNames.map((name) => truncate(name, 22));
  const labelSpace = showLabels ? Math.min(150, Math.max(40, ...labels.map((l) => textWidth(l, 11) + 10))) : 16;
  const left = labelSpace + 24;
  const top = 40 + labelSpace;
  const size = cell * n;
  const width = Math.max(left + size + 20, 320);
  const height = top + size + 20;
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="${font}" font-size="11" role="img" aria-label="${escapeHtml(title)}">`,
    `<rect width="${width}" height="${height}" fill="#ffffff"/>`,
    `<text x="8" y="20" font-size="14" font-weight="bold" fill="#111111">${escapeHtml(title)}</text>`,
    `<text x="${left + size / 2}" y="36" text-anchor="middle" fill="${axisColour}">predicted</text>`,
    `<text transform="translate(14 ${top + size / 2}) rotate(-90)" text-anchor="middle" fill="${axisColour}">true</text>`,
  ];
  for (let r = 0; r < n; r++) {
    const row = confusion[r] ?? [];
    const total = row.reduce((a, b) => a + b, 0);
    for (let c = 0; c < n; c++) {
      const count = row[c] ?? 0;
      const v = total > 0 ? count / total : 0;
      const x = left + c * cell;
      const y = top + r * cell;
      const tip = withTitles
        ? `<title>${escapeHtml(`true ${classNames[r]} → predicted ${classNames[c]}: ${count}`)}</title>`
        : '';
      parts.push(`<rect x="${x}" y="${y}" width="${cell}" height="${cell}" fill="${heat(v)}">${tip}</rect>`);
      if (showCounts && count > 0) {
        parts.push(
          `<text x="${x + cell / 2}" y="${y + cell / 2 + 4}" text-anchor="middle" fill="${v > 0.5 ? '#ffffff' : '#111111'}">${count}</text>`,
        );
      }
    }
  }
  parts.push(`<rect x="${left}" y="${top}" width="${size}" height="${size}" fill="none" stroke="${axisColour}"/>`);
  // The diagonal (correct predictions): one square inside each of its cells, drawn over every cell.
  // A stroke on the cells themselves was half painted over by their neighbours and printed as a
  // broken staircase.
  if (cell >= 8) {
    const inset = 1.5;
    const side = cell - 2 * inset;
    const squares = classNames.map(
      (_, i) =>
        `<rect x="${fmt(left + i * cell + inset)}" y="${fmt(top + i * cell + inset)}" width="${fmt(side)}" height="${fmt(side)}"/>`,
    );
    parts.push(`<g class="diagonal" fill="none" stroke="#111111" stroke-width="1">${squares.join('')}</g>`);
  }
  if (showLabels) {
    labels.forEach((label, i) => {
      const mid = i * cell + cell / 2;
      parts.push(
        `<text x="${left - 6}" y="${fmt(top + mid + 4)}" text-anchor="end" fill="#111111">${escapeHtml(label)}</text>`,
        `<text transform="translate(${fmt(left + mid + 4)} ${top - 6}) rotate(-60)" fill="#111111">${escapeHtml(label)}</text>`,
      );
    });
  }
  parts.push('</svg>');
  return parts.join('');
}
