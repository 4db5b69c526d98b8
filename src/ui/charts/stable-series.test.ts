// Unit tests of the series comparison that keeps an unchanged chart series' identity.
import { describe, expect, it } from 'vitest';
import { samePoints } from './stable-series';

describe('samePoints', () => {
  it('holds for equal values in new objects, NaN included', () => {
    expect(samePoints([{ step: 1, loss: 0.5 }, { step: 2, loss: Number.NaN }], [{ step: 1, loss: 0.5 }, { step: 2, loss: Number.NaN }])).toBe(true);
    expect(samePoints([], [])).toBe(true);
  });

  it('fails on another length, value or set of keys', () => {
    expect(samePoints([{ step: 1, loss: 0.5 }], [{ step: 1, loss: 0.5 }, { step: 2, loss: 0.4 }])).toBe(false);
    expect(samePoints([{ step: 1, loss: 0.5 }], [{ step: 1, loss: 0.25 }])).toBe(false);
    expect(samePoints<{ step: number; r0?: number; loss?: number }>([{ step: 1, r0: 0.5 }], [{ step: 1, loss: 0.5 }])).toBe(false);
    expect(samePoints<{ step: number; loss?: number }>([{ step: 1 }], [{ step: 1, loss: 0.5 }])).toBe(false);
  });
});
