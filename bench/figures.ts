/** The p-th percentile (nearest rank) of a sample. */
export const percentile = (values: number[], p: number) =>
  [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor((p / 100) * values.length))]!;

const ms = (value: number) => `${value.toFixed(2)} ms`.padStart(9);

/** One printed row of durations: the label, median and p95 of the sample, and what it measures. */
export function durationRow(label: string, values: number[], note = ''): string {
  const figures = `median ${ms(percentile(values, 50))}  p95 ${ms(percentile(values, 95))}`;
  return `  ${label.padEnd(26)} ${figures}${note && `  (${note})`}`;
}

/** A measurement beside the figure `npm run cost` prices (infra/cost/measured.ts): the same, or how far off. */
export function comparedToCostFigure(measured: number, figure: number, tolerance = 0.2): string {
  const off = figure === 0 ? Infinity : (measured - figure) / figure;
  if (Math.abs(off) <= tolerance) return `cost figure ${figure}: within ${Math.round(tolerance * 100)} %`;
  const how = Number.isFinite(off) ? `${Math.round(off * 100)} % off` : 'unset';
  return `cost figure ${figure}: ${how}, update infra/cost/measured.ts`;
}
