// Unit tests of the chart downsampling: bounds, averages, stable buckets, points missing a value.
import { describe, expect, it } from 'vitest';
import { downsample } from './downsample';

const steps = (n: number) => Array.from({ length: n }, (_, i) => ({ step: i + 1, value: i + 1 }));

describe('downsample', () => {
  it('keeps a series within the bound as it is', () => {
    const points = steps(40);
    const out = downsample(points, 40);
    expect(out).toEqual(points);
    expect(out).not.toBe(points);
  });

  it('averages into at most maxPoints buckets, each at its last step', () => {
    const out = downsample(steps(1005), 100);
    // ceil(1005 / 100) = 11 points a bucket: 91 full buckets, and the newest 4 steps in the last.
    expect(out).toHaveLength(92);
    expect(out[0]).toEqual({ step: 11, value: 6 });
    expect(out.at(-1)).toEqual({ step: 1005, value: 1003.5 });
  });

  it('changes only the last bucket when steps arrive, while the width holds', () => {
    const before = downsample(steps(950), 100);
    const after = downsample(steps(995), 100);
    expect(after.slice(0, before.length - 1)).toEqual(before.slice(0, -1));
    expect(after.length).toBeLessThanOrEqual(100);
  });

  it('averages each value over the points that have it', () => {
    const out = downsample([{ step: 1, a: 1 }, { step: 2, a: 3, b: 10 }, { step: 3, a: 5 }, { step: 4, a: 7 }] as { step: number; a: number; b?: number }[], 2);
    expect(out).toEqual([{ step: 2, a: 2, b: 10 }, { step: 4, a: 6 }]);
  });
});
