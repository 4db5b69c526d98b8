// What the roster and a member's page derive from the run's records: each rank's speed and share of the
// work at the latest step, and its shard; a member with several workers adds up its ranks.
import type { MetricRecord, ShardRecord, WorkersRecord } from '../../core/metrics';

function latest<T extends MetricRecord['type']>(records: readonly MetricRecord[], type: T): Extract<MetricRecord, { type: T }> | null {
  for (let i = records.length - 1; i >= 0; i--) if (records[i].type === type) return records[i] as Extract<MetricRecord, { type: T }>;
  return null;
}

export interface RankFigures {
  /** Samples of the global batch it trained at the latest step. */
  rows: number;
  /** Its share of the global batch, 0..1. */
  share: number;
  /** Its rows over the time its step took (compute, readback, all-reduce, update); null before a step's times are known. */
  samplesPerSec: number | null;
}

/** Each rank's figures at the latest step that has both its shard and its workers' times. */
export function rankFigures(records: readonly MetricRecord[]): RankFigures[] {
  const shard: ShardRecord | null = latest(records, 'shard');
  if (!shard) return [];
  const workers: WorkersRecord | null = latest(records, 'workers');
  const total = shard.ids.reduce((n, ids) => n + ids.length, 0);
  return shard.ids.map((ids, rank) => {
    const t = workers?.times[rank];
    const ms = t ? t.computeMs + t.readbackMs + t.allreduceMs + t.updateMs : 0;
    return { rows: ids.length, share: total > 0 ? ids.length / total : 0, samplesPerSec: ms > 0 ? (ids.length * 1000) / ms : null };
  });
}

/** A member's figures over its `workers` consecutive ranks from `rank` (they train side by side: their speeds add up). */
export function memberFigures(figures: readonly RankFigures[], rank: number, workers = 1): RankFigures | null {
  const own = figures.slice(rank, rank + workers);
  if (own.length === 0) return null;
  const speeds = own.map((f) => f.samplesPerSec);
  return {
    rows: own.reduce((n, f) => n + f.rows, 0),
    share: own.reduce((n, f) => n + f.share, 0),
    samplesPerSec: speeds.every((v) => v !== null) ? speeds.reduce((a, v) => a + v!, 0) : null,
  };
}

/** The sample ids ranks `rank`..`rank + workers - 1` (a member's workers) trained at the latest step, and their epoch so far. */
export function ownShard(
  records: readonly MetricRecord[], rank: number, workers = 1,
): { step: number; epoch: number; ids: number[]; epochSamples: number } | null {
  const last = latest(records, 'shard');
  if (!last || rank >= last.ids.length) return null;
  let epochSamples = 0;
  for (const r of records) if (r.type === 'shard' && r.epoch === last.epoch) epochSamples += r.ids.slice(rank, rank + workers).flat().length;
  return { step: last.step, epoch: last.epoch, ids: last.ids.slice(rank, rank + workers).flat(), epochSamples };
}
