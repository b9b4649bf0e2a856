/** How training numbers are written on the Train and Runs pages. Pure, so unit-tested. */

export { formatCount, formatDuration } from '../../../../main/format';

/** `0.9333` → `93.3%`; `null` → `—`. */
export function formatPercent(value: number | null | undefined, digits = 1): string {
  return typeof value === 'number' && Number.isFinite(value) ? `${(value * 100).toFixed(digits)}%` : '—';
}

/** A loss on a chart's axis and in its tooltips: two decimals, one from 10 up. */
export function formatLossTick(y: number): string {
  return Math.abs(y) >= 10 ? y.toFixed(1) : y.toFixed(2);
}

/** An accuracy on a chart's axis and in its tooltips: `0.5` → `50%`. */
export function formatPercentTick(y: number): string {
  return formatPercent(y, 0);
}

/** A loss with four significant decimals; `null` → `—`. */
export function formatLoss(value: number | null | undefined): string {
  return typeof value === 'number' && Number.isFinite(value) ? value.toFixed(4) : '—';
}

/** Images per second, one decimal below 100. */
export function formatRate(value: number | null | undefined): string {
  if (typeof value !== 'number' || !Number.isFinite(value)) return '—';
  return `${value < 100 ? value.toFixed(1) : Math.round(value).toLocaleString('en-US')} img/s`;
}

/** An estimate in the unit that reads best: `31 s`, `4 min`, `1.5 h`. */
export function formatApprox(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '—';
  if (seconds < 90) return `${Math.max(1, Math.round(seconds))} s`;
  if (seconds < 90 * 60) return `${Math.round(seconds / 60)} min`;
  return `${(seconds / 3600).toFixed(1)} h`;
}

/** `tfjs`, `cpu` → `tfjs (CPU)`. */
export function formatEngine(engine: { name: string; device: string } | null | undefined): string {
  return engine ? `${engine.name} (${engine.device.toUpperCase()})` : 'this engine';
}

/** "≈ 31 s per epoch on tfjs (CPU), about 2 min in all" */
export function formatEstimate(
  estimate: { secondsPerEpoch: number; totalSeconds: number },
  engine: { name: string; device: string } | null | undefined,
): string {
  const total =
    estimate.totalSeconds > estimate.secondsPerEpoch * 1.5
      ? `, about ${formatApprox(estimate.totalSeconds)} in all`
      : '';
  return `≈ ${formatApprox(estimate.secondsPerEpoch)} per epoch on ${formatEngine(engine)}${total}`;
}

/** The last part of a folder path, for either separator: `/data/flowers/` → `flowers`. */
export function folderName(path: string): string {
  const parts = path.split(/[\\/]+/).filter(Boolean);
  return parts[parts.length - 1] ?? path;
}

/** A local date and time, short: `25 Nov 2026, 21:39`; the ISO text when unreadable. */
export function formatDateTime(iso: string | undefined): string {
  if (!iso) return '—';
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return date.toLocaleString('en-GB', {
    day: 'numeric',
    month: 'short',
    year: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
  });
}

/** A local time of day on a 24-hour clock, as every log in the app shows it: `21:39:05`; `fallback` when unreadable. */
export function formatClock(iso: string, fallback = iso): string {
  const date = new Date(iso);
  return Number.isNaN(date.getTime())
    ? fallback
    : date.toLocaleTimeString('en-GB', { hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' });
}
