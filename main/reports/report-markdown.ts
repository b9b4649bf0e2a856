/**
 * The report as Markdown with its charts as PNG files beside it (referenced relatively), for
 * wikis, READMEs and lab notebooks. Every user-provided value is escaped, so a class named
 * `<img …>` stays text. `renderMarkdownReport` is pure; `svgToPng` rasterises with sharp.
 */
import sharp from 'sharp';
import { confusionMatrixSvg, curveCharts } from './charts-svg';
import { splitName } from './compare-runs';
import { escapeMarkdown as m, escapeMarkdownBlock, formatCount, formatDate, formatDuration, formatMetric, formatPercent, formatRate } from './format';
import type { Item, ReportData, ReportDataset } from './report-data';

export interface MarkdownReport {
  markdown: string;
  /** Charts to write beside the Markdown file as PNG, by file name. */
  charts: { file: string; svg: string }[];
}

/** A table with escaped cells; `align` per column: left or right (numbers). */
function table(header: readonly string[], rows: readonly (readonly string[])[], align: readonly ('l' | 'r')[]): string {
  const line = (cells: readonly string[]): string => `| ${cells.map(m).join(' | ')} |`;
  const rule = `| ${header.map((_, i) => (align[i] === 'r' ? '---:' : '---')).join(' | ')} |`;
  return [line(header), rule, ...rows.map(line)].join('\n');
}

const list = (items: readonly Item[]): string => items.map((i) => `- **${m(i.label)}:** ${m(i.value)}`).join('\n');
const epochText = (epoch: number | null): string => (epoch === null ? '–' : String(epoch + 1));
const nullable = (v: number | null): string => (v === null ? '–' : formatMetric(v));

function datasetMarkdown(dataset: ReportDataset): string {
  const total = (key: 'train' | 'val' | 'test'): number => dataset.classes.reduce((n, c) => n + c[key], 0);
  const hasTest = total('test') > 0;
  const images = total('train') + total('val') + total('test');
  const items: Item[] = [
    { label: 'folder', value: dataset.path },
    { label: 'fingerprint', value: dataset.fingerprint },
    { label: 'used by', value: dataset.runs.join(', ') },
    { label: 'classes', value: formatCount(dataset.classes.length) },
    { label: 'images', value: formatCount(images) },
    ...dataset.split,
    {
      label: 'problems found',
      value: dataset.scan ? `${formatCount(dataset.scan.problems)} in the last scan (${dataset.scan.scannedAt.slice(0, 10)})` : 'not known (the folder was not scanned in this data folder)',
    },
  ];
  const header = ['Class', 'Train', 'Val', ...(hasTest ? ['Test'] : []), 'Images'];
  const rows = dataset.classes.map((c) => [c.name, formatCount(c.train), formatCount(c.val), ...(hasTest ? [formatCount(c.test)] : []), formatCount(c.train + c.val + c.test)]);
  rows.push(['Total', formatCount(total('train')), formatCount(total('val')), ...(hasTest ? [formatCount(total('test'))] : []), formatCount(images)]);
  return `${list(items)}\n\n${table(header, rows, ['l', 'r', 'r', 'r', 'r'])}`;
}

/** A relative link to a file beside the Markdown: percent-encoded, so spaces and brackets are safe. */
export const fileLink = (file: string): string => encodeURIComponent(file).replace(/[()]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

/** The Markdown and its charts; chart files are named `<chartPrefix>loss.png`, `<chartPrefix>confusion-1.png`, …. */
export function renderMarkdownReport(data: ReportData, chartPrefix = ''): MarkdownReport {
  const { comparison } = data;
  const charts: MarkdownReport['charts'] = [];
  const curves = curveCharts(comparison.curves);
  const loss = `${chartPrefix}loss.png`;
  const accuracy = `${chartPrefix}accuracy.png`;
  charts.push({ file: loss, svg: curves.loss }, { file: accuracy, svg: curves.accuracy });
  const out: string[] = [];
  out.push(`# ${m(data.title)}`, '');
  out.push([data.author ? `by ${m(data.author)}` : '', formatDate(data.createdAt), `${m(data.app.name)} ${m(data.app.version)}`].filter(Boolean).join(' · '), '');
  if (data.problems.length > 0) out.push('**Left out of this report:**', '', ...data.problems.map((p) => `- ${m(p)}`), '');

  out.push('## Comparison', '', `Metrics from ${comparison.basis === 'best' ? "each run's best epoch (lowest val\\_loss)" : "each run's final epoch"}.`, '');
  if (comparison.warnings.length > 0) out.push('> **This comparison may not be fair:**', '>', ...comparison.warnings.map((w) => `> - ${m(w)}`), '');
  out.push(
    table(
      ['Model', 'Params', 'Loss', 'Val_Loss', 'ACC', 'Val_ACC'],
      data.runs.map(({ row }) => [row.model, formatCount(row.params), formatMetric(row.loss), formatMetric(row.val_loss), formatMetric(row.acc), formatMetric(row.val_acc)]),
      ['l', 'r', 'r', 'r', 'r', 'r'],
    ),
    '',
    table(
      ['Model', 'Status', 'Epoch shown', 'Epochs', 'Training time', 'Images/s', 'Engine (device)', 'Dataset', 'Split'],
      data.runs.map(({ row }) => [
        row.model,
        row.status,
        epochText(row.epoch),
        `${row.epochsDone} / ${row.epochs}`,
        formatDuration(row.trainingMs),
        formatRate(row.imagesPerSec),
        row.engine,
        `${row.dataset.path} (${row.dataset.fingerprint.slice(0, 12)})`,
        `seed ${row.dataset.splitSeed}, ${splitName(row.dataset.splitKey)}`,
      ]),
      ['l', 'l', 'r', 'r', 'r', 'r', 'l', 'l', 'l'],
    ),
    '',
  );
  if (data.runs.length > 1) {
    out.push('### Configuration differences', '');
    if (comparison.differences.length === 0) out.push('The runs have the same model, training and augmentation settings.', '');
    else
      out.push(
        table(
          ['Setting', ...data.runs.map((r) => r.row.model)],
          comparison.differences.map((d) => [d.label, ...d.values]),
          [],
        ),
        '',
      );
  }

  out.push('## Training curves', '', 'Training dashed, validation solid; one colour per run.', '', `![Loss curves](${fileLink(loss)})`, '', `![Accuracy curves](${fileLink(accuracy)})`, '');

  out.push(`## Dataset${data.datasets.length === 1 ? '' : 's'}`, '');
  data.datasets.forEach((dataset, i) => {
    if (data.datasets.length > 1) out.push(`### Dataset ${i + 1}`, '');
    out.push(datasetMarkdown(dataset), '');
  });

  out.push('## Models and training settings', '');
  for (const run of data.runs) {
    out.push(`### ${m(run.row.model)}`, '', `Run \`${run.run.id}\``, '');
    out.push('**Architecture**', '', run.architecture ? list(run.architecture) : 'The stored model config could not be read as an Xception config.', '');
    out.push('**Hyper-parameters**', '', list(run.hyperParameters), '');
    out.push('**Augmentation**', '', run.augmentation ? list(run.augmentation) : 'None.', '');
  }

  out.push('## Evaluation', '');
  let matrices = 0;
  for (const run of data.runs) {
    for (const result of run.evaluations) {
      const file = `${chartPrefix}confusion-${++matrices}.png`;
      charts.push({ file, svg: confusionMatrixSvg(result.classNames, result.confusion, 'Confusion matrix') });
      out.push(`### ${m(`${run.row.model}: ${result.split === 'val' ? 'validation' : 'test'} split, ${result.checkpoint} checkpoint (epoch ${result.epoch + 1})`)}`, '');
      out.push(
        list([
          { label: 'images', value: `${formatCount(result.images)}${result.skipped.length > 0 ? ` (${formatCount(result.skipped.length)} unreadable, skipped)` : ''}` },
          { label: 'loss', value: formatMetric(result.loss) },
          { label: 'top-1 accuracy', value: `${formatMetric(result.top1)} (${formatPercent(result.top1)})` },
          { label: 'top-5 accuracy', value: `${formatMetric(result.top5)} (${formatPercent(result.top5)})` },
          { label: 'macro precision / recall / F1', value: [result.macro.precision, result.macro.recall, result.macro.f1].map(formatMetric).join(' / ') },
          { label: 'weighted precision / recall / F1', value: [result.weighted.precision, result.weighted.recall, result.weighted.f1].map(formatMetric).join(' / ') },
        ]),
        '',
        `![Confusion matrix](${fileLink(file)})`,
        '',
        table(
          ['Class', 'Precision', 'Recall', 'F1', 'Support'],
          result.perClass.map((c) => [c.name, nullable(c.precision), nullable(c.recall), nullable(c.f1), formatCount(c.support)]),
          ['l', 'r', 'r', 'r', 'r'],
        ),
        '',
      );
    }
  }
  if (matrices === 0) out.push('No run in this report has been evaluated yet.', '');

  out.push('## Environment', '');
  for (const run of data.runs) out.push(`### ${m(run.row.model)}`, '', list(run.environment), '');
  const { app } = data;
  out.push(
    '### This report was made with',
    '',
    list([
      { label: 'app', value: `${app.name} ${app.version}` },
      { label: 'platform', value: `${app.platform} ${app.arch}` },
      { label: 'Node.js', value: app.versions.node },
      ...(app.versions.electron ? [{ label: 'Electron', value: app.versions.electron }] : []),
      ...(app.versions.chrome ? [{ label: 'Chromium', value: app.versions.chrome }] : []),
    ]),
    '',
  );

  out.push('## Notes', '', data.notes ? escapeMarkdownBlock(data.notes) : 'No notes.', '');
  return { markdown: out.join('\n'), charts };
}

/** A chart as PNG at twice its size (sharp renders SVG with librsvg; text uses the system's sans-serif font). */
export async function svgToPng(svg: string): Promise<Buffer> {
  return sharp(Buffer.from(svg), { density: 144 }).png().toBuffer();
}
