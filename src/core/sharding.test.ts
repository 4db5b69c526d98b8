// Shard assignment: strided matches PyTorch's DistributedSampler index lists (cases worked by hand on
// our epoch order), contiguous and label shards, every sample used once per epoch, the repeats that pad
// an epoch, droplast=1 as whole global batches for any number of replicas, balance=speed's shares and
// their cut of one device's global batches, and refusals.
import { describe, expect, it } from 'vitest';
import { epochOrder } from './sampler';
import { checkPlan, epochPadding, epochPlan, MIN_SHARE_OF_EQUAL, shareRows, speedShares, type ShardSpec } from './sharding';

const labelsOf = (n: number, classes: number) => Uint8Array.from({ length: n }, (_, i) => i % classes);

/** Rank k's ids over a whole epoch: its batches concatenated, as its DataLoader would yield them. */
function rankEpoch(spec: ShardSpec, epoch: number, labels: Uint8Array, rank: number): number[] {
  const plan = epochPlan(spec, epoch, labels);
  return Array.from({ length: plan.steps }, (_, s) => [...plan.rankBatch(s, rank)]).flat();
}

describe('strided (DistributedSampler)', () => {
  it('n=10, N=3, epoch 1: pads with the first two ids, rank k takes k, k+3, …, and names the repeats', () => {
    const spec: ShardSpec = { mode: 'strided', balance: 'equal', replicas: 3, batch: 6, dropLast: false, seed: 9 };
    const o = [...epochOrder(9, 1, 10)];
    expect(rankEpoch(spec, 1, labelsOf(10, 2), 0)).toEqual([o[0], o[3], o[6], o[9]]);
    expect(rankEpoch(spec, 1, labelsOf(10, 2), 1)).toEqual([o[1], o[4], o[7], o[0]]);
    expect(rankEpoch(spec, 1, labelsOf(10, 2), 2)).toEqual([o[2], o[5], o[8], o[1]]);
    const plan = epochPlan(spec, 1, labelsOf(10, 2));
    expect([0, 1, 2].map((k) => plan.rankPadding(0, k))).toEqual([[], [], []]);
    expect([0, 1, 2].map((k) => plan.rankPadding(1, k))).toEqual([[], [1], [1]]);
    expect(epochPadding(spec, 10)).toBe(2);
  });

  it('n=10, N=3, batch 3, droplast: the 3 whole batches, the 10th sample left out', () => {
    const spec: ShardSpec = { mode: 'strided', balance: 'equal', replicas: 3, batch: 3, dropLast: true, seed: 9 };
    const o = [...epochOrder(9, 1, 10)];
    expect(rankEpoch(spec, 1, labelsOf(10, 2), 0)).toEqual([o[0], o[3], o[6]]);
    expect(rankEpoch(spec, 1, labelsOf(10, 2), 2)).toEqual([o[2], o[5], o[8]]);
    expect(epochPadding(spec, 10)).toBe(0);
  });

  it('n=15, N=2, batch 5, droplast: whole global batches (3), not a multiple of N truncated to whole batches (2)', () => {
    const spec: ShardSpec = { mode: 'strided', balance: 'equal', replicas: 2, batch: 5, dropLast: true, seed: 4 };
    const o = [...epochOrder(4, 1, 15)];
    const plan = epochPlan(spec, 1, labelsOf(15, 3));
    expect(plan.steps).toBe(3);
    expect([...plan.rankBatch(2, 0)]).toEqual([o[10], o[12], o[14]]);
    expect([...plan.rankBatch(2, 1)]).toEqual([o[11], o[13]]);
  });

  it('n=6, N=4, epoch 2: the order comes from (seed, epoch)', () => {
    const spec: ShardSpec = { mode: 'strided', balance: 'equal', replicas: 4, batch: 8, dropLast: false, seed: 1 };
    const o = [...epochOrder(1, 2, 6)];
    expect(o).not.toEqual([...epochOrder(1, 1, 6)]);
    expect(rankEpoch(spec, 2, labelsOf(6, 2), 2)).toEqual([o[2], o[0]]);
    expect(rankEpoch(spec, 2, labelsOf(6, 2), 3)).toEqual([o[3], o[1]]);
  });

  it('each step\'s shards together are that step\'s global batch of the single-device order', () => {
    const spec: ShardSpec = { mode: 'strided', balance: 'equal', replicas: 4, batch: 32, dropLast: false, seed: 3 };
    const order = epochOrder(3, 1, 800);
    const plan = epochPlan(spec, 1, labelsOf(800, 3));
    expect(plan.steps).toBe(25);
    for (let s = 0; s < plan.steps; s++) {
      const union = [0, 1, 2, 3].flatMap((k) => [...plan.rankBatch(s, k)]).sort((a, b) => a - b);
      expect(union).toEqual([...order.subarray(s * 32, s * 32 + 32)].sort((a, b) => a - b));
    }
  });
});

describe('droplast=1: whole global batches for any number of replicas', () => {
  const labels = labelsOf(100, 4);
  const spec = (mode: ShardSpec['mode'], replicas: number): ShardSpec => ({ mode, balance: 'equal', replicas, batch: 7, dropLast: true, seed: 6 });

  it('one replica: one device\'s order cut into the 14 whole batches of 7, whatever the shard mode', () => {
    for (const mode of ['strided', 'contiguous', 'label'] as const) {
      for (const epoch of [1, 2]) {
        const plan = epochPlan(spec(mode, 1), epoch, labels);
        const order = epochOrder(6, epoch, 100);
        expect(plan.steps, mode).toBe(14);
        for (let s = 0; s < 14; s++) expect(plan.rankBatch(s, 0), `${mode} epoch ${epoch} step ${s + 1}`).toEqual(order.subarray(7 * s, 7 * s + 7));
      }
    }
  });

  it('strided, 2 to 4 replicas (7 rows split 4+3, 3+2+2, 2+2+2+1): each step is one device\'s batch, nothing repeated', () => {
    for (const replicas of [2, 3, 4]) {
      for (const epoch of [1, 2]) {
        const one = epochPlan(spec('strided', 1), epoch, labels);
        const plan = epochPlan(spec('strided', replicas), epoch, labels);
        expect(plan.steps).toBe(14);
        for (let s = 0; s < 14; s++) {
          const union = Array.from({ length: replicas }, (_, k) => [...plan.rankBatch(s, k)]).flat().sort((a, b) => a - b);
          expect(union, `N=${replicas} epoch ${epoch} step ${s + 1}`).toEqual([...one.rankBatch(s, 0)].sort((a, b) => a - b));
          for (let k = 0; k < replicas; k++) expect(plan.rankPadding(s, k)).toEqual([]);
        }
      }
    }
  });

  it('contiguous and label: ⌊100/7⌋ steps, no sample twice, no repeats', () => {
    for (const mode of ['contiguous', 'label'] as const) {
      for (const replicas of [2, 3, 4]) {
        const plan = epochPlan(spec(mode, replicas), 1, labels);
        expect(plan.steps).toBe(14);
        const ids = Array.from({ length: 14 }, (_, s) => Array.from({ length: replicas }, (_, k) => {
          expect(plan.rankPadding(s, k)).toEqual([]);
          return [...plan.rankBatch(s, k)];
        }).flat()).flat();
        expect(new Set(ids).size, `${mode} N=${replicas}`).toBe(ids.length);
        expect(ids.length).toBeGreaterThan(98 - replicas);
        expect(epochPadding(spec(mode, replicas), 100)).toBe(0);
      }
    }
  });
});

describe('contiguous and label', () => {
  it('contiguous: rank k owns block k of the ids, every id once per epoch', () => {
    const spec: ShardSpec = { mode: 'contiguous', balance: 'equal', replicas: 4, batch: 20, dropLast: false, seed: 2 };
    const labels = labelsOf(100, 10);
    for (let k = 0; k < 4; k++) {
      expect(rankEpoch(spec, 1, labels, k).sort((a, b) => a - b)).toEqual(Array.from({ length: 25 }, (_, i) => 25 * k + i));
    }
    expect(rankEpoch(spec, 1, labels, 0)).not.toEqual(rankEpoch(spec, 2, labels, 0));
  });

  it('contiguous, n=10, N=3: the last block is padded with ids 0 and 1, named as repeats wherever its shuffle puts them', () => {
    const spec: ShardSpec = { mode: 'contiguous', balance: 'equal', replicas: 3, batch: 6, dropLast: false, seed: 5 };
    const plan = epochPlan(spec, 1, labelsOf(10, 2));
    const repeats = (k: number) => Array.from({ length: plan.steps }, (_, s) => plan.rankPadding(s, k).map((i) => plan.rankBatch(s, k)[i])).flat();
    expect([repeats(0), repeats(1), repeats(2).sort()]).toEqual([[], [], [0, 1]]);
    expect(rankEpoch(spec, 1, labelsOf(10, 2), 2).sort()).toEqual([0, 1, 8, 9]);
    expect(epochPadding(spec, 10)).toBe(2);
  });

  it('label: rank k holds only the classes c with c mod N = k, in proportion per step', () => {
    const spec: ShardSpec = { mode: 'label', balance: 'equal', replicas: 3, batch: 30, dropLast: false, seed: 2 };
    const labels = labelsOf(300, 10);
    const plan = epochPlan(spec, 1, labels);
    for (let k = 0; k < 3; k++) {
      const ids = rankEpoch(spec, 1, labels, k);
      expect(new Set(ids.map((i) => labels[i] % 3))).toEqual(new Set([k]));
      expect(ids.length).toBe(labels.filter((l) => l % 3 === k).length);
    }
    // Rank 0 holds 4 classes, ranks 1 and 2 hold 3 each: 12, 9, 9 rows of each 30-row step.
    expect([0, 1, 2].map((k) => plan.rankBatch(0, k).length)).toEqual([12, 9, 9]);
  });
});

describe('balance=speed', () => {
  const spec = (replicas: number, dropLast = false): ShardSpec => ({ mode: 'strided', balance: 'speed', replicas, batch: 32, dropLast, seed: 3 });

  it('shares in proportion to speed: 1, 2 and 4 ms per sample give 4/7, 2/7 and 1/7', () => {
    const shares = speedShares([1, 2, 4]);
    [4 / 7, 2 / 7, 1 / 7].forEach((x, k) => expect(shares[k]).toBeCloseTo(x, 12));
    expect(speedShares([3, 3])).toEqual([0.5, 0.5]);
  });

  it('no replica below the minimum share: a replica 100× slower keeps a tenth of an equal share, the others split the rest by speed', () => {
    const shares = speedShares([1, 1, 100]);
    const floor = MIN_SHARE_OF_EQUAL / 3;
    expect(shares[2]).toBeCloseTo(floor, 12);
    expect(shares[0]).toBeCloseTo((1 - floor) / 2, 12);
    expect(shares[0]).toBe(shares[1]);
    expect(shares.reduce((s, x) => s + x, 0)).toBeCloseTo(1, 12);
  });

  it('equal shares when a measurement is missing or not a positive time', () => {
    expect(speedShares([1, 0])).toEqual([0.5, 0.5]);
    expect(speedShares([NaN, 2, 2])).toEqual([1 / 3, 1 / 3, 1 / 3]);
  });

  it('rows: by largest remainder, ties to the lower rank, and at least one each', () => {
    expect(shareRows(32, [0.8, 0.2])).toEqual([26, 6]);
    expect(shareRows(7, [1 / 3, 1 / 3, 1 / 3])).toEqual([3, 2, 2]);
    expect(shareRows(32, [0.99, 0.01])).toEqual([31, 1]);
  });

  it('every step is one device\'s global batch, unpadded, cut in contiguous slices by the shares', () => {
    const labels = labelsOf(811, 3);
    const order = epochOrder(3, 2, 811);
    const plan = epochPlan(spec(3), 2, labels, [0.5, 0.3, 0.2]);
    // 811 = 25 × 32 + 11: a short last batch of 11, and no repeats (balance=equal would pad the epoch to 813).
    expect(plan.steps).toBe(26);
    expect(epochPadding({ ...spec(3), balance: 'equal' }, 811)).toBe(2);
    for (let s = 0; s < plan.steps; s++) {
      const batch = [0, 1, 2].flatMap((k) => [...plan.rankBatch(s, k)]);
      expect(batch, `step ${s + 1}`).toEqual([...order.subarray(32 * s, Math.min(811, 32 * s + 32))]);
      for (let k = 0; k < 3; k++) expect(plan.rankPadding(s, k)).toEqual([]);
    }
    expect([0, 1, 2].map((k) => plan.rankBatch(0, k).length)).toEqual([16, 10, 6]);
    expect([0, 1, 2].map((k) => plan.rankBatch(25, k).length)).toEqual([6, 3, 2]);
    expect(epochPadding(spec(3), 811)).toBe(0);
  });

  it('without shares the cut is equal; a changed world re-plans the same global batches', () => {
    const labels = labelsOf(100, 2);
    const two = epochPlan(spec(2, true), 1, labels);
    expect([two.rankBatch(0, 0).length, two.rankBatch(0, 1).length]).toEqual([16, 16]);
    const three = epochPlan(spec(3, true), 1, labels, [0.2, 0.2, 0.6]);
    expect(three.steps).toBe(two.steps);
    for (let s = 0; s < two.steps; s++) {
      expect([0, 1, 2].flatMap((k) => [...three.rankBatch(s, k)])).toEqual([0, 1].flatMap((k) => [...two.rankBatch(s, k)]));
    }
  });

  it('refuses shares that do not fit the world, and a short last batch that leaves a replica empty', () => {
    const labels = labelsOf(100, 2);
    expect(() => epochPlan(spec(2), 1, labels, [1])).toThrow(/balance: 1 shares for 2 replicas/);
    expect(() => epochPlan(spec(2), 1, labels, [0.7, 0.7])).toThrow(/balance: shares must be positive and sum to 1/);
    expect(() => epochPlan(spec(2), 1, labels, [1, 0])).toThrow(/balance: shares must be positive/);
    // 100 = 3 × 32 + 4: the last batch of 4 rows leaves replicas 4 and 5 of 6 without samples.
    expect(() => checkPlan({ ...spec(6), batch: 32 }, labels, 2)).toThrow(/replica 4 gets no samples at step 4 .*droplast=1/);
  });
});

describe('refusals', () => {
  const labels = labelsOf(100, 2);
  it('more replicas than the batch', () => {
    expect(() => checkPlan({ mode: 'strided', balance: 'equal', replicas: 8, batch: 4, dropLast: false, seed: 1 }, labels, 2))
      .toThrow(/replicas: must be at most the global batch \(4\), got 8/);
  });
  it('label sharding with more replicas than classes', () => {
    expect(() => checkPlan({ mode: 'label', balance: 'equal', replicas: 3, batch: 30, dropLast: false, seed: 1 }, labels, 2))
      .toThrow(/at most 2 replicas/);
  });
  it('a short last batch that leaves a replica empty, unless droplast', () => {
    // 100 samples, 4 replicas, batch 6: the 17th batch has 4 rows; with batch 7 the 15th has 2.
    expect(() => checkPlan({ mode: 'strided', balance: 'equal', replicas: 4, batch: 6, dropLast: false, seed: 1 }, labels, 2)).not.toThrow();
    expect(() => checkPlan({ mode: 'strided', balance: 'equal', replicas: 4, batch: 7, dropLast: false, seed: 1 }, labels, 2))
      .toThrow(/replica 2 gets no samples at step 15 .*droplast=1/);
    expect(() => checkPlan({ mode: 'strided', balance: 'equal', replicas: 4, batch: 7, dropLast: true, seed: 1 }, labels, 2)).not.toThrow();
  });
});
