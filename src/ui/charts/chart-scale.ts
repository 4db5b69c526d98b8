// The arithmetic of the lab's line charts: round axis ticks and SVG paths, pure so it is unit-tested.

/** Ticks 0, s, 2s, … for a span [0, max], s a round number (1, 2 or 5 × 10^k), about `count` of them. */
export function niceTicks(max: number, count = 5, integers = false): number[] {
  if (!(max > 0) || !Number.isFinite(max)) return [0];
  const raw = max / Math.max(1, count - 1);
  const power = 10 ** Math.floor(Math.log10(raw));
  let step = [1, 2, 5, 10].map((m) => m * power).find((s) => s >= raw) ?? raw;
  if (integers) step = Math.max(1, Math.round(step));
  const ticks: number[] = [];
  // Rounded to the step's precision, so 0.1 × 3 is 0.3 and not 0.30000000000000004.
  const digits = Math.max(0, -Math.floor(Math.log10(step)) + 1);
  for (let i = 0; i * step <= max * (1 + 1e-9); i++) ticks.push(Number((i * step).toFixed(digits)));
  return ticks;
}

/** The axis top for values up to `max`: the first round tick at or above it (1 for an empty series). */
export function niceMax(max: number): number {
  if (!(max > 0) || !Number.isFinite(max)) return 1;
  const ticks = niceTicks(max);
  const last = ticks[ticks.length - 1];
  return last >= max ? last : last + (ticks[1] - ticks[0]);
}

/** An SVG path through the points, skipping any that are not finite. */
export function linePath(points: readonly [number, number][]): string {
  let d = '';
  let pen = false;
  for (const [x, y] of points) {
    if (!Number.isFinite(x) || !Number.isFinite(y)) {
      pen = false;
      continue;
    }
    d += `${pen ? 'L' : 'M'}${x.toFixed(1)},${y.toFixed(1)}`;
    pen = true;
  }
  return d;
}

/** The index of the point whose step is nearest `step` in points sorted by step, or −1 if none. */
export function nearestIndex(points: readonly { step: number }[], step: number): number {
  if (points.length === 0) return -1;
  let lo = 0;
  let hi = points.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (points[mid].step < step) lo = mid + 1;
    else hi = mid;
  }
  return lo > 0 && step - points[lo - 1].step < points[lo].step - step ? lo - 1 : lo;
}
