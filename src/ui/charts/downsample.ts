// Bounded chart series: per-step points averaged into at most maxPoints buckets of equal width counted
// from the first point, so a new step changes only the last bucket (until the run outgrows the width).

export function downsample<P extends { step: number }>(points: readonly P[], maxPoints: number): P[] {
  const width = Math.max(1, Math.ceil(points.length / maxPoints));
  if (width === 1) return points.slice();
  const out: P[] = [];
  for (let start = 0; start < points.length; start += width) out.push(meanPoint(points.slice(start, start + width)));
  return out;
}

/** The mean of each value over the points that have it, at the last point's step. */
function meanPoint<P extends { step: number }>(group: readonly P[]): P {
  const sums = new Map<string, { sum: number; n: number }>();
  for (const point of group) {
    for (const [key, value] of Object.entries(point)) {
      if (key === 'step' || typeof value !== 'number') continue;
      const s = sums.get(key) ?? { sum: 0, n: 0 };
      s.sum += value;
      s.n++;
      sums.set(key, s);
    }
  }
  const mean: Record<string, number> = { step: group[group.length - 1].step };
  for (const [key, { sum, n }] of sums) mean[key] = sum / n;
  return mean as P;
}
