// Unit tests of the line charts' arithmetic: round ticks, the axis top, paths, the hovered point.
import { describe, expect, it } from 'vitest';
import { linePath, nearestIndex, niceMax, niceTicks } from './chart-scale';

describe('niceTicks', () => {
  it('steps by 1, 2 or 5 × 10^k from 0 up to the span', () => {
    expect(niceTicks(1)).toEqual([0, 0.5, 1]);
    expect(niceTicks(2.3)).toEqual([0, 1, 2]);
    expect(niceTicks(1407, 5, true)).toEqual([0, 500, 1000]);
    expect(niceTicks(0.3)).toEqual([0, 0.1, 0.2, 0.3]);
  });

  it('keeps integer axes on whole steps, and an empty span at 0', () => {
    expect(niceTicks(3, 5, true)).toEqual([0, 1, 2, 3]);
    expect(niceTicks(0)).toEqual([0]);
    expect(niceTicks(Number.NaN)).toEqual([0]);
  });
});

describe('niceMax', () => {
  it('rounds the top of the axis up to a tick', () => {
    expect(niceMax(2.3)).toBe(3);
    expect(niceMax(2)).toBe(2);
    expect(niceMax(9100)).toBe(10_000);
    expect(niceMax(0)).toBe(1);
  });
});

describe('linePath', () => {
  it('draws through the points, lifting the pen over a gap', () => {
    expect(linePath([[0, 1], [2, 3], [Number.NaN, 0], [4, 5.25]])).toBe('M0.0,1.0L2.0,3.0M4.0,5.3');
  });
});

describe('nearestIndex', () => {
  it('finds the point whose step is nearest', () => {
    const points = [{ step: 1 }, { step: 10 }, { step: 20 }];
    expect([0, 5, 6, 14, 16, 99].map((s) => nearestIndex(points, s))).toEqual([0, 0, 1, 1, 2, 2]);
    expect(nearestIndex([], 3)).toBe(-1);
  });
});
