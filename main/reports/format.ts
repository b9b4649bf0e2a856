/**
 * How reports write numbers and how they make user text safe: every value a user typed (run
 * names, class names, notes, titles) goes through `escapeHtml`, `escapeMarkdown` or `csvField`
 * before it reaches a report. Pure.
 */

import { noValue } from '../format';

export { formatCount, formatDuration } from '../format';

const integer = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });

/** Loss and accuracy with four decimals, like Keras' progress lines; `—` when there is none. */
export function formatMetric(value: number | null | undefined): string {
  return value == null || !Number.isFinite(value) ? noValue : value.toFixed(4);
}

/** A fraction as a percentage with one decimal (`0.8125` → `81.3%`). */
export function formatPercent(value: number | null | undefined): string {
  return value == null || !Number.isFinite(value) ? noValue : `${(value * 100).toFixed(1)}%`;
}

/** A 0-based epoch as reports number epochs (from 1); `—` when there is none. */
export function formatEpoch(epoch: number | null): string {
  return epoch === null ? noValue : String(epoch + 1);
}

/** Images per second: one decimal below 100, whole numbers above. */
export function formatRate(value: number | null | undefined): string {
  if (value == null || !Number.isFinite(value)) return noValue;
  return value < 100 ? value.toFixed(1) : integer.format(Math.round(value));
}

/** A date and time for a report's header, in UTC so it reads the same everywhere: `2026-11-25 21:08 UTC`. */
export function formatDate(date: Date): string {
  return `${date.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

/** A value of a config field in words: lists joined by commas, `yes`/`no`, `(unset)`. */
export function formatValue(value: unknown): string {
  if (value === undefined) return '(unset)';
  if (value === null) return 'off';
  if (typeof value === 'boolean') return value ? 'yes' : 'no';
  if (Array.isArray(value)) return value.map(formatValue).join(', ');
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

const htmlEntities: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Text made safe for HTML and SVG element content and quoted attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => htmlEntities[c]!);
}

/**
 * Text made literal in Markdown (CommonMark and GitHub's): every character that could start
 * emphasis, a link, an image, raw HTML, a heading, a table cell or code is backslash-escaped,
 * and line breaks become spaces (so a value stays on its table row or list line).
 */
export function escapeMarkdown(text: string): string {
  return text.replace(/[\\`*_[\]<>|#&!~]/g, (c) => `\\${c}`).replace(/\r\n|\r|\n/g, ' ');
}

/** Multi-line text (notes) made literal in Markdown, keeping its line breaks as hard breaks. */
export function escapeMarkdownBlock(text: string): string {
  return text
    .split(/\r\n|\r|\n/)
    .map((line) =>
      escapeMarkdown(line)
        .replace(/^(\s*)([-+=])/, '$1\\$2')
        .replace(/^(\s*)(\d+)([.)])/, '$1$2\\$3'),
    )
    .join('  \n');
}

/**
 * One CSV field (RFC 4180): quoted when it holds a comma, quote or line break, quotes doubled.
 * Text that a spreadsheet would run as a formula (`=`, `+`, `-`, `@` first) gets a leading `'`,
 * as OWASP advises; numbers are written in full precision, `null`/`undefined` as empty.
 */
export function csvField(value: string | number | boolean | null | undefined): string {
  if (value == null) return '';
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : '';
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  const text = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** Rows of fields as RFC 4180 CSV: CRLF after every record. */
export function toCsv(rows: readonly (readonly (string | number | boolean | null | undefined)[])[]): string {
  return rows.map((row) => `${row.map(csvField).join(',')}\r\n`).join('');
}
