// Unit tests of the data-parallel view data: per-replica loss buckets, shard windows, label counts,
// the timeline window, traffic and the sync state.
import { describe, expect, it } from 'vitest';
import type { MetricRecord } from '../../core/metrics';
import { thumbnailCells } from './draw-shard-map';
import { labelCounts, lastTraffic, meanPhases, recentWorkers, replicaLossSeries, shardWindow, syncState, trafficFormula } from './parallel-data';

const times = (ms: number) => ({ computeMs: ms, readbackMs: 1, allreduceMs: 2, updateMs: 3 });

/** Two replicas, 4 steps per epoch; rank k gets ids {2s+k} at step s of each epoch; local SGD every 2 steps. */
function run(steps: number, divergeAt = 0): MetricRecord[] {
  const records: MetricRecord[] = [];
  for (let step = 1; step <= steps; step++) {
    const epoch = Math.ceil(step / 4);
    const s = (step - 1) % 4;
    records.push({ type: 'step', step, epoch, loss: step, accuracy: 0.5, lr: 0.01, replicaLoss: [step - 1, step + 1] });
    records.push({ type: 'shard', step, epoch, ids: [[2 * s], [2 * s + 1]] });
    const synced = step % 2 === 0;
    records.push({ type: 'workers', step, clock: 'wall', times: [times(step), times(10)], bytesSent: synced ? [8, 8] : [0, 0], theoryBytes: synced ? 8 : 0 });
    if (synced) records.push({ type: 'sync', step, checksums: ['a', step >= divergeAt && divergeAt ? 'b' : 'a'], inSync: !(divergeAt && step >= divergeAt) });
  }
  return records;
}

describe('replicaLossSeries', () => {
  it('keeps each replica loss beside the global loss', () => {
    const s = replicaLossSeries(run(3));
    expect(s.replicas).toBe(2);
    expect(s.points[1]).toEqual({ step: 2, loss: 2, r0: 1, r1: 3 });
  });

  it('averages into at most maxPoints buckets', () => {
    const s = replicaLossSeries(run(1000), 100);
    expect(s.points).toHaveLength(100);
    expect(s.points[0]).toEqual({ step: 10, loss: 5.5, r0: 4.5, r1: 6.5 });
  });

  it('has no replica series on a single-device run', () => {
    const s = replicaLossSeries([{ type: 'step', step: 1, epoch: 1, loss: 1, accuracy: 0, lr: 0.01 }]);
    expect([s.replicas, Object.keys(s.points[0])]).toEqual([0, ['step', 'loss']]);
  });
});

describe('shardWindow', () => {
  it('takes the latest step, or every step of the latest epoch', () => {
    const records = run(6);
    expect(shardWindow(records, 'step')).toMatchObject({ step: 6, epoch: 2, firstStep: 6, byRank: [[2], [3]] });
    const epoch = shardWindow(records, 'epoch')!;
    expect(epoch).toMatchObject({ step: 6, epoch: 2, firstStep: 5, byRank: [[0, 2], [1, 3]] });
    expect([...epoch.owner]).toEqual([[0, 0], [1, 1], [2, 0], [3, 1]]);
    expect(shardWindow(records.filter((r) => r.type !== 'shard'), 'epoch')).toBeNull();
  });

  it('keeps an epoch\'s window to the steps since the world last changed size (a class member left mid-epoch)', () => {
    const records: MetricRecord[] = [
      { type: 'shard', step: 1, epoch: 1, ids: [[0], [1], [2]] },
      { type: 'shard', step: 2, epoch: 1, ids: [[3, 5], [4, 6]] },
      { type: 'shard', step: 3, epoch: 1, ids: [[7, 9], [8, 10]] },
    ];
    expect(shardWindow(records, 'epoch')).toMatchObject({ firstStep: 2, step: 3, byRank: [[3, 5, 7, 9], [4, 6, 8, 10]] });
  });

  it('marks the repeats that pad the epoch without taking the sample from the rank that trained it first', () => {
    // 5 samples on 2 replicas, batch 4: step 2 trains sample 4 and, on rank 1, a repeat of sample 0.
    const records: MetricRecord[] = [
      { type: 'shard', step: 1, epoch: 1, ids: [[0, 2], [1, 3]] },
      { type: 'shard', step: 2, epoch: 1, ids: [[4], [0]], padded: [[], [0]] },
    ];
    const epoch = shardWindow(records, 'epoch')!;
    expect([...epoch.paddedIds]).toEqual([0]);
    expect(epoch.owner.get(0)).toBe(0);
    expect(thumbnailCells(epoch, 5).filter((c) => c.padded)).toEqual([{ id: 0, rank: 0, padded: true }]);
    const step = shardWindow(records, 'step')!;
    expect([...step.owner]).toEqual([[4, 0], [0, 1]]);
    expect(thumbnailCells(step, 5)).toEqual([{ id: 4, rank: 0, padded: false }, { id: 0, rank: 1, padded: true }]);
    expect(shardWindow(records.slice(0, 1), 'step')!.paddedIds.size).toBe(0);
  });

  it('shows a step\'s repeats among its thumbnails even where the batch has more samples than are shown', () => {
    const ids = (from: number) => Array.from({ length: 300 }, (_, i) => from + i);
    const step = shardWindow([{ type: 'shard', step: 9, epoch: 1, ids: [ids(1), [...ids(301).slice(0, 299), 0]], padded: [[], [299]] }], 'step')!;
    const cells = thumbnailCells(step, 601);
    expect(cells).toHaveLength(400);
    expect(cells.filter((c) => c.padded)).toEqual([{ id: 0, rank: 1, padded: true }]);
    expect(cells.filter((c) => c.rank === 1)).toHaveLength(200);
  });

  it('counts labels per replica', () => {
    expect(labelCounts([[0, 2, 2], [1, 3]], [0, 1, 1, 2], 3)).toEqual([[1, 2, 0], [0, 1, 1]]);
  });
});

describe('shardWindow shares (balance=speed)', () => {
  it('gives the latest step\'s shares, and none where the records have none', () => {
    const records: MetricRecord[] = [
      { type: 'shard', step: 1, epoch: 1, ids: [[0, 1], [2, 3]], shares: [0.5, 0.5] },
      { type: 'shard', step: 2, epoch: 2, ids: [[4, 5, 6], [7]], shares: [0.8, 0.2] },
    ];
    expect(shardWindow(records, 'epoch')!.shares).toEqual([0.8, 0.2]);
    expect(shardWindow(records.slice(0, 1), 'step')!.shares).toEqual([0.5, 0.5]);
    expect(shardWindow(run(2), 'step')!.shares).toBeNull();
  });
});

describe('workers', () => {
  it('keeps the last steps in order and averages their phases', () => {
    const window = recentWorkers(run(30), 20);
    expect(window.map((r) => r.step)).toEqual(Array.from({ length: 20 }, (_, i) => i + 11));
    expect(meanPhases(window)).toEqual([times(20.5), times(10)]);
  });

  it('finds the last step that sent bytes', () => {
    expect(lastTraffic(run(5))?.step).toBe(4);
    expect(lastTraffic(run(1))).toBeNull();
  });
});

describe('syncState', () => {
  it('reports the first divergence and the latest check', () => {
    expect(syncState(run(8))).toMatchObject({ checks: 4, divergedAt: null, latest: { step: 8 } });
    expect(syncState(run(8, 5))).toMatchObject({ checks: 4, divergedAt: 6, latest: { step: 8, inSync: false } });
    expect(syncState([])).toEqual({ checks: 0, divergedAt: null, latest: null });
  });
});

describe('trafficFormula', () => {
  const of = (allreduce: 'ring' | 'star', zero: number, accumulate = 1, recompute = 0) => trafficFormula({ allreduce, zero, accumulate, recompute }).formula;

  it('names what a replica sends per step for each ZeRO stage, ring and star', () => {
    expect([0, 1, 2].map((z) => of('ring', z))).toEqual(['2K(N−1)/N', '2K(N−1)/N', '2K(N−1)/N']);
    expect([0, 1, 2].map((z) => of('star', z))).toEqual(['K', '2K', '2K']);
    // Stage 3: two layer gathers per micro-batch and one reduce-scatter; recomputed layers are gathered again.
    expect(of('ring', 3)).toBe('3K(N−1)/N');
    expect(of('ring', 3, 4)).toBe('9K(N−1)/N');
    expect(of('star', 3, 2)).toBe('5K');
    expect(of('ring', 3, 1, 1)).toBe('3K(N−1)/N +');
  });
});
