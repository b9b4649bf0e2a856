/** What a `MetricChart` draws: named series of `{x, y}` points, styled by their role. */
export interface ChartSeries {
  label: string;
  points: { x: number; y: number }[];
  /** train: solid; val: dashed, second colour; raw: faint; smooth: solid. */
  role: 'train' | 'val' | 'raw' | 'smooth';
  /** Overrides the role's colour (the Compare charts: one colour per run). */
  colour?: string;
  /** Overrides the role's dashes. */
  dashed?: boolean;
  /** Drawn beneath the other series (a baseline's curves). */
  under?: boolean;
}

/** A vertical line across a chart at `x`, e.g. where fine-tuning starts. */
export interface ChartMarker {
  x: number;
  /** Drawn beside the line. */
  label: string;
  /** For screen readers, a sentence without the final full stop. */
  description: string;
}

export interface ChartPalette {
  train: string;
  val: string;
  raw: string;
  text: string;
  grid: string;
}

/** Colours with enough contrast on the surface of each theme (and told apart by dashes too). */
export const palettes: Record<'light' | 'dark', ChartPalette> = {
  light: { train: '#0a58ad', val: '#b45309', raw: 'rgba(10, 88, 173, 0.22)', text: '#525b66', grid: '#e4e7ec' },
  dark: { train: '#7ab6ff', val: '#f0a35e', raw: 'rgba(122, 182, 255, 0.25)', text: '#a1abb7', grid: '#2b323c' },
};

/** A one-line reading of a chart for screen readers: the last value of every series. */
export function chartSummary(title: string, series: readonly ChartSeries[], format: (y: number) => string): string {
  const parts = series
    .filter((s) => s.role !== 'raw')
    .map((s) => {
      const last = s.points[s.points.length - 1];
      return last
        ? `${s.label} ${format(last.y)} at epoch ${Number.isInteger(last.x) ? last.x : last.x.toFixed(2)}`
        : `${s.label}: no data yet`;
    });
  return `${title}. ${parts.join('; ')}.`;
}
