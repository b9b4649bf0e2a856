/** The Report page's request and export choices. Pure, so unit-tested. */
import type { CompareBasis, ReportFormat, ReportRequest } from '../../../../main/contract';

export interface ReportForm {
  runIds: readonly string[];
  title: string;
  author: string;
  notes: string;
  basis: CompareBasis;
  /** The chosen baseline's run id: the report gets an "Against the baseline" section. */
  baseline?: string | null;
}

/** The contract's limits on the free-text fields. */
export const reportLimits = { title: 300, author: 300, notes: 100_000, runs: 50 } as const;

/** The request for `form`: blank fields left out, text trimmed (the notes keep their inner lines). */
export function reportRequest(form: ReportForm): ReportRequest {
  const request: ReportRequest = { runIds: [...form.runIds], basis: form.basis };
  const title = form.title.trim();
  const author = form.author.trim();
  const notes = form.notes.replace(/^\s*\n|\s+$/g, '');
  if (title) request.title = title;
  if (author) request.author = author;
  if (notes.trim()) request.notes = notes;
  if (form.baseline) request.baseline = form.baseline;
  return request;
}

/** Why the form cannot be sent, or `null`. */
export function reportProblem(form: ReportForm): string | null {
  if (form.runIds.length === 0) return 'Choose at least one run for the report.';
  if (form.runIds.length > reportLimits.runs)
    return `A report can hold at most ${reportLimits.runs} runs (${form.runIds.length} are chosen).`;
  if (form.title.trim().length > reportLimits.title)
    return `The title can be at most ${reportLimits.title} characters.`;
  if (form.author.trim().length > reportLimits.author)
    return `The author can be at most ${reportLimits.author} characters.`;
  if (form.notes.length > reportLimits.notes)
    return `The notes can be at most ${reportLimits.notes.toLocaleString('en-US')} characters.`;
  return null;
}

export const reportFormats: readonly { format: ReportFormat; label: string; description: string }[] = [
  { format: 'html', label: 'HTML', description: 'one self-contained page, as in the preview' },
  { format: 'pdf', label: 'PDF', description: 'the same page, printed' },
  { format: 'md', label: 'Markdown', description: 'text and tables, for a README or a wiki' },
  { format: 'csv', label: 'CSV', description: 'the comparison table, for a spreadsheet' },
];
