// Sampler: per-epoch seeded permutations and how they are cut into global batches.
import { describe, expect, it } from 'vitest';
import { batchIndices, epochOrder, stepsPerEpoch } from './sampler';

function isPermutation(p: ArrayLike<number>, n: number): boolean {
  return p.length === n && [...Array.from(p)].sort((a, b) => a - b).every((v, i) => v === i);
}

describe('epochOrder', () => {
  it('is a permutation of 0..n-1', () => {
    for (const n of [1, 2, 10, 800, 9003]) expect(isPermutation(epochOrder(1, 0, n), n), `n=${n}`).toBe(true);
    expect(epochOrder(1, 0, 0)).toHaveLength(0);
  });

  it('is deterministic for (seed, epoch)', () => {
    expect(epochOrder(42, 3, 500)).toEqual(epochOrder(42, 3, 500));
  });

  it('differs across epochs and across seeds', () => {
    const orders = [epochOrder(1, 0, 500), epochOrder(1, 1, 500), epochOrder(1, 2, 500), epochOrder(2, 0, 500), epochOrder(2, 1, 500)];
    const keys = new Set(orders.map((o) => o.join(',')));
    expect(keys.size).toBe(orders.length);
  });

  it('is shuffled, not the identity', () => {
    const o = epochOrder(1, 0, 1000);
    expect(Array.from(o).filter((v, i) => v === i).length).toBeLessThan(10);
  });
});

describe('stepsPerEpoch', () => {
  it('is ceil(n / batch)', () => {
    expect(stepsPerEpoch(10, 3)).toBe(4);
    expect(stepsPerEpoch(9, 3)).toBe(3);
    expect(stepsPerEpoch(1, 32)).toBe(1);
    expect(stepsPerEpoch(9003, 32)).toBe(282);
    expect(stepsPerEpoch(800, 16)).toBe(50);
    expect(stepsPerEpoch(9003, 8192)).toBe(2);
  });
});

describe('batchIndices', () => {
  it('cuts the order into ceil(n/batch) consecutive batches with a short last batch', () => {
    const n = 103;
    const batch = 10;
    const order = epochOrder(5, 1, n);
    const steps = stepsPerEpoch(n, batch);
    expect(steps).toBe(11);
    const batches = Array.from({ length: steps }, (_, i) => batchIndices(order, batch, i));
    for (let i = 0; i < steps - 1; i++) expect(batches[i]).toHaveLength(batch);
    expect(batches[steps - 1]).toHaveLength(3);
    expect(batches.flatMap((b) => Array.from(b))).toEqual(Array.from(order));
    expect(Array.from(batches[2])).toEqual(Array.from(order.slice(20, 30)));
  });

  it('gives full batches when batch divides n, and one batch when batch ≥ n', () => {
    const order = epochOrder(1, 0, 12);
    expect([0, 1, 2].map((i) => batchIndices(order, 4, i).length)).toEqual([4, 4, 4]);
    expect(Array.from(batchIndices(order, 64, 0))).toEqual(Array.from(order));
    expect(batchIndices(order, 4, 3)).toHaveLength(0);
  });
});
