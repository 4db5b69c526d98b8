// What the roster and a member's page derive from the run's records: each rank's speed and share of the
// work at the latest step, and its shard.
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

/** The sample ids rank `rank` trained at the latest step and its epoch so far. */
export function ownShard(records: readonly MetricRecord[], rank: number): { step: number; epoch: number; ids: number[]; epochSamples: number } | null {
  const last = latest(records, 'shard');
  if (!last || rank >= last.ids.length) return null;
  let epochSamples = 0;
  for (const r of records) if (r.type === 'shard' && r.epoch === last.epoch) epochSamples += r.ids[rank]?.length ?? 0;
  return { step: last.step, epoch: last.epoch, ids: last.ids[rank], epochSamples };
}
