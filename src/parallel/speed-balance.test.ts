// The coordinator's side of balance=speed without a GPU: shares planned from each replica's median compute
// time per sample as an epoch's last step completes (none after the last epoch), a slow step that moves
// nothing, a generation of another world measured afresh, and the epoch re-planned when members change.
import { describe, expect, it } from 'vitest';
import type { StepReport } from './replica-protocol';
import { SpeedBalance } from './speed-balance';

/** A step's reports: rank k trained rows[k] samples in computeMs[k]. */
const group = (step: number, epoch: number, rows: number[], computeMs: number[]): StepReport[] => rows.map((n, rank) => ({
  type: 'report', rank, step, epoch, lossSum: 1, correct: 0, rows: n, globalRows: 32, ids: [], padded: [],
  times: { computeMs: computeMs[rank], readbackMs: 0, allreduceMs: 0, updateMs: 0 }, gpuTimed: false, bytesSent: 0,
}));

describe('SpeedBalance', () => {
  it('plans the next epoch as the last step of one completes, from the median ms per sample, and none after the last epoch', () => {
    const balance = new SpeedBalance(2);
    balance.counted(8);
    // Rank 1 takes 3 ms a sample, rank 0 1 ms, but for one step slowed 100-fold.
    expect(balance.add(1, group(1, 1, [16, 16], [16, 48]))).toBeNull();
    expect(balance.add(2, group(2, 1, [16, 16], [1600, 48]))).toBeNull();
    expect(balance.add(3, group(3, 1, [16, 16], [16, 48]))).toBeNull();
    const next = balance.add(4, group(4, 1, [16, 16], [16, 48]))!;
    expect(next.epoch).toBe(2);
    expect(next.shares[0]).toBeCloseTo(0.75, 12);
    expect(next.shares[1]).toBeCloseTo(0.25, 12);
    expect(balance.plannedShares(2)).toEqual([next]);
    for (let step = 5; step <= 8; step++) expect(balance.add(step, group(step, 2, [24, 8], [24, 24]))).toBeNull();
  });

  it('measures a generation of another world afresh, and hands a generation only the shares of its world', () => {
    const balance = new SpeedBalance(3);
    balance.counted(6);
    balance.add(1, group(1, 1, [16, 16], [16, 16]));
    const two = balance.add(2, group(2, 1, [16, 16], [16, 16]))!;
    expect(two.shares).toEqual([0.5, 0.5]);
    // Epoch 2: the world grows to 3 mid-epoch; only the 3-replica step counts.
    balance.add(3, group(3, 2, [16, 16], [16, 160]));
    const three = balance.add(4, group(4, 2, [10, 11, 11], [10, 22, 22]))!;
    expect(three.epoch).toBe(3);
    [0.5, 0.25, 0.25].forEach((x, k) => expect(three.shares[k]).toBeCloseTo(x, 12));
    expect(balance.plannedShares(2)).toEqual([two]);
    expect(balance.plannedShares(3)).toEqual([three]);
  });

  it('re-plans the epoch a new generation starts in when members change: kept members at their speed, a newcomer at the median', () => {
    const balance = new SpeedBalance(2);
    balance.counted(8);
    // Epoch 1, 3 replicas: 1, 2 and 4 ms a sample.
    balance.add(1, group(1, 1, [10, 11, 11], [10, 22, 44]));
    // Rank 1 leaves after step 1: ranks 0 and 2 go on, and someone joins.
    balance.regroup([0, 2, null], 1);
    const [shares] = balance.plannedShares(3);
    expect(shares.epoch).toBe(1);
    // Speeds 1, 1/4 and the newcomer's median 5/8: shares 8/15, 2/15, 5/15.
    [8 / 15, 2 / 15, 5 / 15].forEach((x, k) => expect(shares.shares[k]).toBeCloseTo(x, 12));
    // The same members in the same ranks (a worker restarted in its rank) keep the plan.
    balance.add(2, group(2, 1, [16, 4, 12], [16, 16, 16]));
    balance.regroup([0, 1, 2], 2);
    expect(balance.plannedShares(3)).toEqual([shares]);
  });
});
