// What the data-parallel views draw, derived from the metric records: per-replica loss series, the
// shard window (this step or this epoch), label counts per replica, the last steps' worker phases,
// traffic, and the replicas' sync state. Pure functions, so they are unit-tested without a page.
import type { RunConfig } from '../../core/config';
import type { MetricRecord, PhaseTimes, ShardRecord, SyncRecord, WorkersRecord } from '../../core/metrics';
import { downsample } from '../charts/downsample';

const MAX_POINTS = 500;

/** One chart point: `step`, the global `loss`, and `r0`…`r{N−1}` for the replicas. */
export type ReplicaLossPoint = { step: number; loss: number } & Record<string, number>;

export const replicaKey = (rank: number): string => `r${rank}`;

export interface ReplicaLossSeries {
  points: ReplicaLossPoint[];
  replicas: number;
}

/** Global and per-replica loss, averaged into at most `maxPoints` buckets like the main charts. */
export function replicaLossSeries(records: readonly MetricRecord[], maxPoints = MAX_POINTS): ReplicaLossSeries {
  const steps = records.filter((r) => r.type === 'step');
  const replicas = steps.reduce((n, r) => Math.max(n, r.replicaLoss?.length ?? 0), 0);
  const points = steps.map((r) => {
    const point: ReplicaLossPoint = { step: r.step, loss: r.loss };
    r.replicaLoss?.forEach((loss, k) => { point[replicaKey(k)] = loss; });
    return point;
  });
  return { points: downsample(points, maxPoints), replicas };
}

export type ShardWindowMode = 'step' | 'epoch';

export interface ShardWindow {
  mode: ShardWindowMode;
  /** The latest step in the window, and its epoch. */
  step: number;
  epoch: number;
  /** The first step in the window. */
  firstStep: number;
  /** byRank[rank] = the sample ids that rank trained on in the window, in order (repeats kept). */
  byRank: number[][];
  /** The ids that some rank trained again in the window, to pad the epoch (droplast=0). */
  paddedIds: Set<number>;
  /** Which rank last got each id in the window; a repeat does not take over a sample already used. */
  owner: Map<number, number>;
  /** balance=speed: each rank's share of the global batches at the window's latest step; null when equal. */
  shares: number[] | null;
}

/**
 * The latest shard record ('step'), or all shard records of the latest epoch ('epoch') since the world last
 * changed size (an elastic class run re-plans the epoch for its new world: ranks before and after differ).
 */
export function shardWindow(records: readonly MetricRecord[], mode: ShardWindowMode): ShardWindow | null {
  const picked: ShardRecord[] = [];
  for (let i = records.length - 1; i >= 0; i--) {
    const r = records[i];
    if (r.type !== 'shard') continue;
    if (picked.length > 0 && (mode === 'step' || r.epoch !== picked[0].epoch || r.ids.length !== picked[0].ids.length)) break;
    picked.push(r);
  }
  if (picked.length === 0) return null;
  picked.reverse();
  const last = picked[picked.length - 1];
  const byRank: number[][] = last.ids.map(() => []);
  const paddedIds = new Set<number>();
  const owner = new Map<number, number>();
  for (const r of picked) {
    r.ids.forEach((ids, rank) => {
      const repeats = new Set(r.padded?.[rank]);
      ids.forEach((id, i) => {
        if (repeats.has(i)) paddedIds.add(id);
        if (!repeats.has(i) || !owner.has(id)) owner.set(id, rank);
        byRank[rank].push(id);
      });
    });
  }
  return { mode, step: last.step, epoch: last.epoch, firstStep: picked[0].step, byRank, paddedIds, owner, shares: last.shares ?? null };
}

/** counts[rank][class]: how many of each rank's samples in the window carry each label. */
export function labelCounts(byRank: readonly number[][], labels: ArrayLike<number>, classes: number): number[][] {
  return byRank.map((ids) => {
    const counts = new Array<number>(classes).fill(0);
    for (const id of ids) if (id < labels.length) counts[labels[id]]++;
    return counts;
  });
}

/** The workers records of the last `steps` steps, oldest first. */
export function recentWorkers(records: readonly MetricRecord[], steps = 20): WorkersRecord[] {
  const out: WorkersRecord[] = [];
  for (let i = records.length - 1; i >= 0 && out.length < steps; i--) {
    const r = records[i];
    if (r.type === 'workers') out.push(r);
  }
  return out.reverse();
}

/** Each replica's mean phase times over these records. */
export function meanPhases(window: readonly WorkersRecord[]): PhaseTimes[] {
  const replicas = window.reduce((n, r) => Math.max(n, r.times.length), 0);
  return Array.from({ length: replicas }, (_, k) => {
    const rows = window.flatMap((r) => (k < r.times.length ? [r.times[k]] : []));
    const avg = (key: keyof PhaseTimes) => (rows.length ? rows.reduce((s, t) => s + t[key], 0) / rows.length : 0);
    return { computeMs: avg('computeMs'), readbackMs: avg('readbackMs'), allreduceMs: avg('allreduceMs'), updateMs: avg('updateMs') };
  });
}

/** The latest step whose all-reduce sent bytes (every step with sync=step; every k-th with local SGD). */
export function lastTraffic(records: readonly MetricRecord[]): WorkersRecord | null {
  for (let i = records.length - 1; i >= 0; i--) {
    const r = records[i];
    if (r.type === 'workers' && r.bytesSent.some((b) => b > 0)) return r;
  }
  return null;
}

export interface SyncState {
  /** How many synchronisations were checked. */
  checks: number;
  /** The first synchronisation after which the checksums differed. */
  divergedAt: number | null;
  latest: SyncRecord | null;
}

export function syncState(records: readonly MetricRecord[]): SyncState {
  const state: SyncState = { checks: 0, divergedAt: null, latest: null };
  for (const r of records) {
    if (r.type !== 'sync') continue;
    state.checks++;
    state.latest = r;
    if (!r.inSync && state.divergedAt === null) state.divergedAt = r.step;
  }
  return state;
}

/**
 * What one replica sends in a synchronised step, as the coordinator's theory counts it, with K the model's
 * vector (float64 partial sums on a ring, float32 through star): the ring's reduce-scatter and all-gather
 * (2K(N−1)/N, ZeRO 1 and 2 as well), and at stage 3 two layer gathers per micro-batch and one reduce-scatter.
 */
export function trafficFormula(c: Pick<RunConfig, 'allreduce' | 'zero' | 'accumulate' | 'recompute'>): { formula: string; explain: string } {
  const ring = c.allreduce === 'ring';
  const per = (times: number) => (ring ? `${times}K(N−1)/N` : `${times === 1 ? '' : times}K`);
  if (c.zero === 3) {
    const times = 2 * c.accumulate + 1;
    const regather = c.recompute ? ', and each recomputed layer once more' : '';
    return {
      formula: per(times) + (c.recompute ? ' +' : ''),
      explain: `ZeRO-3: every layer gathered before its forward and its backward in each of ${c.accumulate} micro-batch(es)${regather}, then one reduce-scatter of the gradient`,
    };
  }
  if (c.zero > 0) return { formula: per(2), explain: `ZeRO-${c.zero}: the gradient reduce-scattered, then the updated weights all-gathered` };
  return ring
    ? { formula: per(2), explain: 'An ideal ring sends 2K(N−1)/N per replica: reduce-scatter, then all-gather' }
    : { formula: per(1), explain: 'Star: each replica sends its whole vector K to the coordinator' };
}
