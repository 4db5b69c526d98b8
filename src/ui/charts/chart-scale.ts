// Round axis ticks for the live charts, pure so it is unit-tested: recharts' own split a fixed domain
// [0, 210] into 0, 55, 110, …; these step by 1, 2 or 5 × 10^k.

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

