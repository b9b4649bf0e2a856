/**
 * The report as one self-contained HTML page: inline CSS and SVG charts, no scripts, no external
 * URL of any kind (a Content-Security-Policy forbids loading anything), print CSS for A4 that
 * keeps small blocks whole and fills the pages. Every user-provided value is escaped. Pure.
 */
import type { EvalResult } from '../contract';
import { confusionMatrixSvg, curveCharts } from './charts-svg';
import {
  escapeHtml as e,
  formatCount,
  formatDate,
  formatDuration,
  formatEpoch,
  formatMetric,
  formatRate,
} from './format';
import { basisDescription, splitName } from './compare-runs';
import { deltaMetrics, deltaView } from './baseline-delta';
import {
  datasetItems,
  datasetTotals,
  evaluationHeading,
  evaluationItems,
  generatorItems,
  type Item,
  type ReportData,
  type ReportDataset,
  type ReportRun,
} from './report-data';

export const reportCsp = "default-src 'none'; img-src data:; style-src 'unsafe-inline'";

/** SVG inline in HTML needs no namespace declaration (which is a URL, though never fetched). */
export const inlineSvg = (svg: string): string => svg.replace(' xmlns="http://www.w3.org/2000/svg"', '');

const style = `
:root { color-scheme: light; }
* { box-sizing: border-box; }
body { font-family: system-ui, "Segoe UI", "DejaVu Sans", Helvetica, Arial, sans-serif; color: #1a1a1a; background: #fff; margin: 0 auto; max-width: 1000px; padding: 24px; line-height: 1.45; font-size: 14px; }
h1 { font-size: 26px; margin: 0 0 4px; }
h2 { font-size: 20px; margin: 32px 0 8px; border-bottom: 2px solid #d0d7de; padding-bottom: 4px; }
h3 { font-size: 16px; margin: 20px 0 6px; }
.meta { color: #555; margin: 0; }
table { border-collapse: collapse; margin: 8px 0 16px; font-size: 13px; }
th, td { border: 1px solid #d0d7de; padding: 4px 8px; text-align: left; vertical-align: top; }
th { background: #f3f5f7; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
.swatch { display: inline-block; width: 12px; height: 12px; border-radius: 2px; margin-right: 6px; vertical-align: -1px; }
.warning { border: 1px solid #d4a72c; background: #fff8e1; padding: 8px 12px; border-radius: 4px; margin: 12px 0; }
.warning ul { margin: 4px 0 0; padding-left: 20px; }
.problems { border-color: #cf222e; background: #ffebe9; }
dl { display: grid; grid-template-columns: max-content 1fr; gap: 2px 16px; margin: 8px 0; }
dt { color: #555; }
dd { margin: 0; }
.chart svg { max-width: 100%; height: auto; }
.curve-charts { display: grid; grid-template-columns: repeat(auto-fit, minmax(320px, 1fr)); gap: 16px; }
.notes { white-space: pre-wrap; border-left: 3px solid #d0d7de; padding-left: 12px; }
.mono { font-family: "DejaVu Sans Mono", Menlo, Consolas, monospace; font-size: 12px; word-break: break-all; }
.muted { color: #666; }
.better { color: #116329; }
.worse { color: #a40e26; }
@page { size: A4; margin: 14mm; }
/*
 * Print: sections follow each other (no forced page breaks, which left pages half empty); what is
 * small stays whole on a page (a chart, a run's settings, a table of a few dozen rows, a run's
 * evaluation); a longer table breaks between rows and repeats its header. Side by side where A4
 * has the width: the two curves, the runs' settings, a confusion matrix and its numbers.
 */
@media print {
  body { max-width: none; padding: 0; font-size: 10px; line-height: 1.35; }
  h1 { font-size: 20px; }
  h2 { font-size: 15px; margin: 18px 0 6px; }
  h3 { font-size: 12px; margin: 10px 0 4px; }
  h4 { font-size: 11px; margin: 8px 0 2px; }
  h2, h3, h4 { break-after: avoid; }
  table { font-size: 9px; margin: 4px 0 8px; }
  th, td { padding: 2px 5px; }
  thead { display: table-header-group; }
  tr, .chart, dl, .warning, .model, .evaluation-run, .eval-numbers { break-inside: avoid; }
  table.small { break-inside: avoid; }
  dl { margin: 4px 0; }
  .curve-charts { grid-template-columns: 1fr 1fr; gap: 12px; }
  .mono { font-size: 9px; }
  .models { display: grid; grid-template-columns: repeat(auto-fit, minmax(300px, 1fr)); gap: 0 16px; }
  .eval-body { display: grid; grid-template-columns: minmax(0, 11fr) minmax(0, 9fr); gap: 12px; align-items: start; }
  .eval-body .chart svg { width: 100%; height: auto; }
  th { background: #f3f5f7 !important; -webkit-print-color-adjust: exact; print-color-adjust: exact; }
  .swatch, .warning, .chart { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
}
`;

const num = (text: string): string => `<td class="num">${text}</td>`;

/** Up to this many rows a table is kept whole on one printed page; a longer one breaks between rows. */
export const smallTableRows = 40;

/** ` class="small"` for a table of `rows` rows, with any other classes. */
const tableClass = (rows: number, ...classes: string[]): string => {
  const all = [...classes, ...(rows <= smallTableRows ? ['small'] : [])];
  return all.length > 0 ? ` class="${all.join(' ')}"` : '';
};

function definitionList(items: readonly Item[]): string {
  return `<dl>${items.map((i) => `<dt>${e(i.label)}</dt><dd>${e(i.value)}</dd>`).join('')}</dl>`;
}

function comparisonTable(data: ReportData): string {
  const rows = data.runs
    .map(
      ({ row, colour }) =>
        `<tr><td><span class="swatch" style="background:${colour}"></span>${e(row.model)}</td>${num(formatCount(row.params))}${num(formatMetric(row.loss))}${num(formatMetric(row.val_loss))}${num(formatMetric(row.acc))}${num(formatMetric(row.val_acc))}</tr>`,
    )
    .join('');
  return `<table id="comparison-table"${tableClass(data.runs.length)}><thead><tr><th>Model</th><th class="num">Params</th><th class="num">Loss</th><th class="num">Val_Loss</th><th class="num">ACC</th><th class="num">Val_ACC</th></tr></thead><tbody>${rows}</tbody></table>`;
}

/** "Against the baseline": each run's metrics minus the pinned baseline's, arrow and sign first. */
function baselineSection(data: ReportData): string {
  const { baseline } = data;
  if (!baseline) return '';
  const base = baseline.row;
  const rows = data.runs
    .map(({ row, colour }, i) => {
      const delta = baseline.deltas[i]!;
      const cells =
        row.runId === baseline.runId
          ? '<td class="num muted" colspan="4">the baseline</td>'
          : deltaMetrics
              .map((metric) => {
                const view = deltaView(metric, delta[metric]);
                const word = view.verdict === 'better' || view.verdict === 'worse' ? ` (${view.verdict})` : '';
                return `<td class="num${view.verdict === 'better' || view.verdict === 'worse' ? ` ${view.verdict}` : ''}">${e(view.text)}${word}</td>`;
              })
              .join('');
      return `<tr><td><span class="swatch" style="background:${colour}"></span>${e(row.model)}</td>${cells}</tr>`;
    })
    .join('');
  return `<section id="baseline">
<h2>Against the baseline</h2>
<p>Baseline: <strong>${e(baseline.label)}</strong> — run “${e(base.model)}” (${e(base.runId)}): loss ${formatMetric(base.loss)}, val_loss ${formatMetric(base.val_loss)}, acc ${formatMetric(base.acc)}, val_acc ${formatMetric(base.val_acc)}${base.epoch === null ? '' : ` at epoch ${base.epoch + 1}`}.</p>
<p class="muted">Each run's value minus the baseline's: ▲ higher, ▼ lower; lower loss and higher accuracy are better.</p>
<table id="baseline-table"><thead><tr><th>Model</th><th class="num">Δ Loss</th><th class="num">Δ Val_Loss</th><th class="num">Δ ACC</th><th class="num">Δ Val_ACC</th></tr></thead><tbody>${rows}</tbody></table>
</section>`;
}

function runDetailsTable(data: ReportData): string {
  const rows = data.runs
    .map(
      ({ row }) =>
        `<tr><td>${e(row.model)}</td><td>${e(row.status)}</td>${num(formatEpoch(row.epoch))}${num(`${row.epochsDone} / ${row.epochs}`)}${num(formatDuration(row.trainingMs))}${num(formatRate(row.imagesPerSec))}<td>${e(row.engine)}</td><td>${e(row.dataset.path)}<br><span class="mono">${e(row.dataset.fingerprint.slice(0, 12))} · seed ${row.dataset.splitSeed} · ${e(splitName(row.dataset.splitKey))}</span></td></tr>`,
    )
    .join('');
  return `<table id="run-details"${tableClass(data.runs.length)}><thead><tr><th>Model</th><th>Status</th><th class="num">Epoch shown</th><th class="num">Epochs</th><th class="num">Training time</th><th class="num">Images/s</th><th>Engine (device)</th><th>Dataset · split</th></tr></thead><tbody>${rows}</tbody></table>`;
}

function differencesTable(data: ReportData): string {
  const { differences } = data.comparison;
  if (data.runs.length < 2) return '';
  if (differences.length === 0)
    return '<h3>Configuration differences</h3><p>The runs have the same model, training and augmentation settings.</p>';
  const head = data.runs.map((r) => `<th>${e(r.row.model)}</th>`).join('');
  const rows = differences
    .map((d) => `<tr><th scope="row">${e(d.label)}</th>${d.values.map((v) => `<td>${e(v)}</td>`).join('')}</tr>`)
    .join('');
  return `<h3>Configuration differences</h3><p class="muted">Only the settings that differ between the runs.</p><table id="differences"${tableClass(differences.length)}><thead><tr><th>Setting</th>${head}</tr></thead><tbody>${rows}</tbody></table>`;
}

function datasetSection(dataset: ReportDataset): string {
  const totals = datasetTotals(dataset);
  const hasTest = totals.test > 0;
  const rows = dataset.classes
    .map(
      (c) =>
        `<tr><td>${e(c.name)}</td>${num(formatCount(c.train))}${num(formatCount(c.val))}${hasTest ? num(formatCount(c.test)) : ''}${num(formatCount(c.train + c.val + c.test))}</tr>`,
    )
    .join('');
  return `${definitionList(datasetItems(dataset))}<table${tableClass(dataset.classes.length + 1, 'classes')}><thead><tr><th>Class</th><th class="num">Train</th><th class="num">Val</th>${hasTest ? '<th class="num">Test</th>' : ''}<th class="num">Images</th></tr></thead><tbody>${rows}<tr><th>Total</th>${num(formatCount(totals.train))}${num(formatCount(totals.val))}${hasTest ? num(formatCount(totals.test)) : ''}${num(formatCount(totals.images))}</tr></tbody></table>`;
}

function modelSection(run: ReportRun): string {
  const architecture = run.architecture
    ? definitionList(run.architecture)
    : '<p>The stored model config could not be read as an Xception config.</p>';
  const augmentation = run.augmentation ? definitionList(run.augmentation) : '<p>None.</p>';
  return `<div class="model"><h3><span class="swatch" style="background:${run.colour}"></span>${e(run.row.model)} <span class="muted mono">${e(run.run.id)}</span></h3>
<h4>Architecture</h4>${architecture}
<h4>Hyper-parameters</h4>${definitionList(run.hyperParameters)}
<h4>Augmentation</h4>${augmentation}</div>`;
}

export function evaluationBlock(run: ReportRun, result: EvalResult): string {
  const items: Item[] = [...evaluationItems(result), { label: 'evaluated', value: result.createdAt }];
  const perClass = result.perClass
    .map(
      (c) =>
        `<tr><td>${e(c.name)}</td>${num(formatMetric(c.precision))}${num(formatMetric(c.recall))}${num(formatMetric(c.f1))}${num(formatCount(c.support))}</tr>`,
    )
    .join('');
  const matrix = confusionMatrixSvg(result.classNames, result.confusion, 'Confusion matrix');
  return `<div class="evaluation-run"><h3>${e(evaluationHeading(run, result))}</h3>
<div class="eval-body"><div class="chart">${inlineSvg(matrix)}</div>
<div class="eval-numbers">${definitionList(items)}
<table${tableClass(result.perClass.length, 'per-class')}><thead><tr><th>Class</th><th class="num">Precision</th><th class="num">Recall</th><th class="num">F1</th><th class="num">Support</th></tr></thead><tbody>${perClass}</tbody></table></div></div></div>`;
}

function environmentSection(data: ReportData): string {
  const perRun = data.runs.map((run) => `<h3>${e(run.row.model)}</h3>${definitionList(run.environment)}`).join('');
  return `${perRun}<h3>This report was made with</h3>${definitionList(generatorItems(data.app))}`;
}

/** The whole report page. */
export function renderReportHtml(data: ReportData): string {
  const { comparison } = data;
  const basisText = e(basisDescription(comparison.basis, comparison.rows));
  // Half the page each, side by side: narrower drawings keep their text legible when printed.
  const charts = curveCharts(comparison.curves, 460);
  const warnings =
    comparison.warnings.length > 0
      ? `<div class="warning" role="note" id="warnings"><strong>This comparison may not be fair:</strong><ul>${comparison.warnings.map((w) => `<li>${e(w)}</li>`).join('')}</ul></div>`
      : '';
  const problems =
    data.problems.length > 0
      ? `<div class="warning problems" role="note" id="problems"><strong>Left out of this report:</strong><ul>${data.problems.map((p) => `<li>${e(p)}</li>`).join('')}</ul></div>`
      : '';
  const evaluated = data.runs.flatMap((run) => run.evaluations.map((result) => evaluationBlock(run, result)));
  const byline = [
    data.author ? `by ${e(data.author)}` : '',
    formatDate(data.createdAt),
    `${e(data.app.name)} ${e(data.app.version)}`,
  ]
    .filter(Boolean)
    .join(' · ');

  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${reportCsp}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="${e(data.app.name)} ${e(data.app.version)}">
<title>${e(data.title)}</title>
<style>${style}</style>
</head>
<body>
<header>
<h1>${e(data.title)}</h1>
<p class="meta">${byline}</p>
</header>
${problems}
<section id="comparison">
<h2>Comparison</h2>
<p>Metrics from ${basisText}. Parameters: trainable and non-trainable weights of the model.</p>
${warnings}
${comparisonTable(data)}
${runDetailsTable(data)}
${differencesTable(data)}
</section>
${baselineSection(data)}
<section id="curves">
<h2>Training curves</h2>
<p class="muted">Training dashed, validation solid; one colour per run.</p>
<div class="curve-charts"><div class="chart">${inlineSvg(charts.loss)}</div>
<div class="chart">${inlineSvg(charts.accuracy)}</div></div>
</section>
<section id="datasets">
<h2>Dataset${data.datasets.length === 1 ? '' : 's'}</h2>
${data.datasets.map((d, i) => `${data.datasets.length > 1 ? `<h3>Dataset ${i + 1}</h3>` : ''}${datasetSection(d)}`).join('')}
</section>
<section id="models">
<h2>Models and training settings</h2>
<div class="models">${data.runs.map(modelSection).join('')}</div>
</section>
<section id="evaluation">
<h2>Evaluation</h2>
${evaluated.length > 0 ? evaluated.join('') : '<p>No run in this report has been evaluated yet: evaluate a run to add its confusion matrix and per-class metrics.</p>'}
</section>
<section id="environment">
<h2>Environment</h2>
${environmentSection(data)}
</section>
<section id="notes">
<h2>Notes</h2>
${data.notes ? `<div class="notes">${e(data.notes)}</div>` : '<p class="muted">No notes.</p>'}
</section>
</body>
</html>
`;
}
