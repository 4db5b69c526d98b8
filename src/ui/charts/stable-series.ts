// A chart series that keeps its identity while its points are unchanged: the records refresh every half
// second, but a series they leave as it was (the test points between epochs) must not make recharts redraw.
import { useRef } from 'react';

export function useStableSeries<P extends object>(points: readonly P[]): readonly P[] {
  const kept = useRef(points);
  if (kept.current !== points && !samePoints(kept.current, points)) kept.current = points;
  return kept.current;
}

/** Whether two series hold the same values, point by point. */
export function samePoints<P extends object>(a: readonly P[], b: readonly P[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    const [p, q] = [a[i] as Record<string, unknown>, b[i] as Record<string, unknown>];
    const keys = Object.keys(p);
    if (keys.length !== Object.keys(q).length || keys.some((k) => !Object.is(p[k], q[k]))) return false;
  }
  return true;
}
