// Number formatting shared by the progress panel, the charts and the data-parallel views.

export const formatPercent = (fraction: number, digits = 1): string => `${(fraction * 100).toFixed(digits)}%`;

export const formatLoss = (loss: number): string => (Math.abs(loss) >= 100 ? loss.toExponential(2) : loss.toFixed(4));

/** Axis ticks: at most three significant digits, no trailing zeros; exponents for huge values. */
export const formatTick = (value: number): string =>
  Math.abs(value) >= 1e4 ? value.toExponential(1) : String(Number(value.toPrecision(3)));

// One formatter for all calls: toLocaleString builds a new one each time, which is slow in a hot render.
const COUNT = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });
export const formatCount = (n: number): string => COUNT.format(Math.round(n));

/** Seconds to a tenth, for short spans such as a run's start-up. */
export const formatSeconds = (ms: number): string => `${(ms / 1000).toFixed(1)} s`;

export function formatDuration(ms: number): string {
  const seconds = Math.round(ms / 1000);
  return seconds < 60 ? `${seconds} s` : `${Math.floor(seconds / 60)} min ${seconds % 60} s`;
}

/** Bytes in decimal units (kB = 1000 B), three significant digits. */
export function formatBytes(bytes: number): string {
  if (bytes < 1000) return `${Math.round(bytes)} B`;
  const units = ['kB', 'MB', 'GB'];
  let v = bytes / 1000;
  let u = 0;
  while (v >= 1000 && u < units.length - 1) {
    v /= 1000;
    u++;
  }
  return `${Number(v.toPrecision(3))} ${units[u]}`;
}

export const formatMs = (ms: number): string => (ms >= 100 ? ms.toFixed(0) : ms >= 10 ? ms.toFixed(1) : ms.toFixed(2));
