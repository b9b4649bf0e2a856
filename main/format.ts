/**
 * How the lab writes counts and durations, the same in the CLI, the reports and the UI. Pure and
 * free of Node APIs, so the renderer imports it too.
 */

/** What a table shows where there is no value. */
export const noValue = '—';

const integer = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });

/** Whole numbers as Keras prints parameter counts: `21,066,380`; `—` when unknown. */
export function formatCount(value: number | null | undefined): string {
  return value == null || !Number.isFinite(value) ? noValue : integer.format(Math.round(value));
}

/** A span of time a reader takes in at a glance: `< 1 s`, `4.2 s`, `42 s`, `3 min 05 s`, `2 h 07 min`. */
export function formatDuration(ms: number | null | undefined): string {
  if (ms == null || !Number.isFinite(ms) || ms < 0) return noValue;
  if (ms < 1000) return '< 1 s';
  if (ms < 9950) return `${(ms / 1000).toFixed(1)} s`;
  const seconds = Math.round(ms / 1000);
  const pad = (n: number): string => String(n).padStart(2, '0');
  if (seconds < 60) return `${seconds} s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} min ${pad(seconds % 60)} s`;
  return `${Math.floor(minutes / 60)} h ${pad(minutes % 60)} min`;
}
