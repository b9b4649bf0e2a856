/**
 * The report as Markdown with its charts as PNG files beside it (referenced relatively), for
 * wikis, READMEs and lab notebooks. Every user-provided value is escaped, so a class named
 * `<img …>` stays text. `renderMarkdownReport` is pure; `svgToPng` rasterises with sharp.
 */
import sharp from 'sharp';
import { confusionMatrixSvg, curveCharts } from './charts-svg';
import { basisDescription, splitName } from './compare-runs';
import { deltaMetrics, deltaView } from './baseline-delta';
import {
  escapeMarkdown as m,
  escapeMarkdownBlock,
  formatCount,
  formatDate,
  formatDuration,
  formatEpoch,
  formatMetric,
  formatRate,
} from './format';
import {
  datasetItems,
  datasetTotals,
  evaluationHeading,
  evaluationItems,
  generatorItems,
  type Item,
  type ReportData,
  type ReportDataset,
} from './report-data';

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

function datasetMarkdown(dataset: ReportDataset): string {
  const totals = datasetTotals(dataset);
  const hasTest = totals.test > 0;
  const header = ['Class', 'Train', 'Val', ...(hasTest ? ['Test'] : []), 'Images'];
  const rows = dataset.classes.map((c) => [
    c.name,
    formatCount(c.train),
    formatCount(c.val),
    ...(hasTest ? [formatCount(c.test)] : []),
    formatCount(c.train + c.val + c.test),
  ]);
  rows.push([
    'Total',
    formatCount(totals.train),
    formatCount(totals.val),
    ...(hasTest ? [formatCount(totals.test)] : []),
    formatCount(totals.images),
  ]);
  return `${list(datasetItems(dataset))}\n\n${table(header, rows, ['l', 'r', 'r', 'r', 'r'])}`;
}

/** A relative link to a file beside the Markdown: percent-encoded, so spaces and brackets are safe. */
export const fileLink = (file: string): string =>
  encodeURIComponent(file).replace(/[()]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

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
  out.push(
    [
      data.author ? `by ${m(data.author)}` : '',
      formatDate(data.createdAt),
      `${m(data.app.name)} ${m(data.app.version)}`,
    ]
      .filter(Boolean)
      .join(' · '),
    '',
  );
  if (data.problems.length > 0)
    out.push('**Left out of this report:**', '', ...data.problems.map((p) => `- ${m(p)}`), '');

  out.push('## Comparison', '', `Metrics from ${m(basisDescription(comparison.basis, comparison.rows))}.`, '');
  if (comparison.warnings.length > 0)
    out.push('> **This comparison may not be fair:**', '>', ...comparison.warnings.map((w) => `> - ${m(w)}`), '');
  out.push(
    table(
      ['Model', 'Params', 'Loss', 'Val_Loss', 'ACC', 'Val_ACC'],
      data.runs.map(({ row }) => [
        row.model,
        formatCount(row.params),
        formatMetric(row.loss),
        formatMetric(row.val_loss),
        formatMetric(row.acc),
        formatMetric(row.val_acc),
      ]),
      ['l', 'r', 'r', 'r', 'r', 'r'],
    ),
    '',
    table(
      ['Model', 'Status', 'Epoch shown', 'Epochs', 'Training time', 'Images/s', 'Engine (device)', 'Dataset', 'Split'],
      data.runs.map(({ row }) => [
        row.model,
        row.status,
        formatEpoch(row.epoch),
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
    if (comparison.differences.length === 0)
      out.push('The runs have the same model, training and augmentation settings.', '');
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

  if (data.baseline) {
    const { baseline } = data;
    const base = baseline.row;
    out.push(
      '## Against the baseline',
      '',
      `Baseline: **${m(baseline.label)}** — run "${m(base.model)}" (${base.runId}): loss ${formatMetric(base.loss)}, val\\_loss ${formatMetric(base.val_loss)}, acc ${formatMetric(base.acc)}, val\\_acc ${formatMetric(base.val_acc)}${base.epoch === null ? '' : ` at epoch ${base.epoch + 1}`}.`,
      '',
      "Each run's value minus the baseline's: ▲ higher, ▼ lower; lower loss and higher accuracy are better.",
      '',
      table(
        ['Model', 'Δ Loss', 'Δ Val_Loss', 'Δ ACC', 'Δ Val_ACC'],
        data.runs.map(({ row }, i) => [
          row.model,
          ...deltaMetrics.map((metric) => {
            if (row.runId === baseline.runId) return 'baseline';
            const view = deltaView(metric, baseline.deltas[i]![metric]);
            return view.verdict === 'better' || view.verdict === 'worse' ? `${view.text} (${view.verdict})` : view.text;
          }),
        ]),
        ['l', 'r', 'r', 'r', 'r'],
      ),
      '',
    );
  }

  out.push(
    '## Training curves',
    '',
    'Training dashed, validation solid; one colour per run.',
    '',
    `![Loss curves](${fileLink(loss)})`,
    '',
    `![Accuracy curves](${fileLink(accuracy)})`,
    '',
  );

  out.push(`## Dataset${data.datasets.length === 1 ? '' : 's'}`, '');
  data.datasets.forEach((dataset, i) => {
    if (data.datasets.length > 1) out.push(`### Dataset ${i + 1}`, '');
    out.push(datasetMarkdown(dataset), '');
  });

  out.push('## Models and training settings', '');
  for (const run of data.runs) {
    out.push(`### ${m(run.row.model)}`, '', `Run \`${run.run.id}\``, '');
    out.push(
      '**Architecture**',
      '',
      run.architecture ? list(run.architecture) : 'The stored model config could not be read as an Xception config.',
      '',
    );
    out.push('**Hyper-parameters**', '', list(run.hyperParameters), '');
    out.push('**Augmentation**', '', run.augmentation ? list(run.augmentation) : 'None.', '');
  }

  out.push('## Evaluation', '');
  let matrices = 0;
  for (const run of data.runs) {
    for (const result of run.evaluations) {
      const file = `${chartPrefix}confusion-${++matrices}.png`;
      charts.push({ file, svg: confusionMatrixSvg(result.classNames, result.confusion, 'Confusion matrix') });
      out.push(`### ${m(evaluationHeading(run, result))}`, '');
      out.push(
        list(evaluationItems(result)),
        '',
        `![Confusion matrix](${fileLink(file)})`,
        '',
        table(
          ['Class', 'Precision', 'Recall', 'F1', 'Support'],
          result.perClass.map((c) => [
            c.name,
            formatMetric(c.precision),
            formatMetric(c.recall),
            formatMetric(c.f1),
            formatCount(c.support),
          ]),
          ['l', 'r', 'r', 'r', 'r'],
        ),
        '',
      );
    }
  }
  if (matrices === 0) out.push('No run in this report has been evaluated yet.', '');

  out.push('## Environment', '');
  for (const run of data.runs) out.push(`### ${m(run.row.model)}`, '', list(run.environment), '');
  out.push('### This report was made with', '', list(generatorItems(data.app)), '');

  out.push('## Notes', '', data.notes ? escapeMarkdownBlock(data.notes) : 'No notes.', '');
  return { markdown: out.join('\n'), charts };
}

/** A chart as PNG at twice its size (sharp renders SVG with librsvg; text uses the system's sans-serif font). */
export async function svgToPng(svg: string): Promise<Buffer> {
  return sharp(Buffer.from(svg), { density: 144 }).png().toBuffer();
}
