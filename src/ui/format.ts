// Number formatting shared by the progress panel and the charts.

export const formatPercent = (fraction: number, digits = 1): string => `${(fraction * 100).toFixed(digits)}%`;

export const formatLoss = (loss: number): string => (Math.abs(loss) >= 100 ? loss.toExponential(2) : loss.toFixed(4));

/** Axis ticks: at most three significant digits, no trailing zeros; exponents for huge values. */
export const formatTick = (value: number): string =>
  Math.abs(value) >= 1e4 ? value.toExponential(1) : String(Number(value.toPrecision(3)));

export const formatCount = (n: number): string => Math.round(n).toLocaleString('en-US');

export function formatDuration(ms: number): string {
  const seconds = Math.round(ms / 1000);
  return seconds < 60 ? `${seconds} s` : `${Math.floor(seconds / 60)} min ${seconds % 60} s`;
}
