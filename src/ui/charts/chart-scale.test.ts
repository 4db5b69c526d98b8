// Unit tests of the live charts' round ticks and axis top.
import { describe, expect, it } from 'vitest';
import { niceMax, niceTicks } from './chart-scale';

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
