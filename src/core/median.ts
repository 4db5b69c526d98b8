// The median of a list of measurements: the figure one slow step (a pipeline compiling, another program)
// does not move, used for pipeline bubbles and balance=speed's per-sample times.
export function median(values: readonly number[]): number {
  if (values.length === 0) throw new Error('median: no values');
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}
