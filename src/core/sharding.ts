// Data distribution across data-parallel replicas: which sample ids each rank trains on at each step.
// strided:    PyTorch DistributedSampler — shuffle from (seed, epoch), pad by repeating the first ids
//             (or truncate with droplast) to a multiple of N; global batch t is order[tB, (t+1)B) and
//             rank k takes its elements k, k+N, …  With one replica this is the single-device order.
// contiguous: rank k owns the k-th contiguous block of sample ids and shuffles it each epoch.
// label:      non-IID — class c belongs to rank c mod N; each rank shuffles its classes' samples.
// In contiguous and label modes each step takes from each rank in proportion to its shard's size, so
// every sample is used once per epoch; the loss and gradient are always the mean over the global batch.
import type { RunConfig, ShardMode } from './config';
import { createRng, permutation, Stream } from './rng';
import { epochOrder } from './sampler';

export interface ShardSpec {
  mode: ShardMode;
  replicas: number;
  batch: number;
  dropLast: boolean;
  seed: number;
}

export function shardSpec(config: RunConfig): ShardSpec {
  return { mode: config.shard, replicas: config.replicas, batch: config.batch, dropLast: config.droplast === 1, seed: config.seed };
}

export interface EpochPlan {
  steps: number;
  /** Sample ids of rank `rank` at step `step` (0-based within the epoch). */
  rankBatch(step: number, rank: number): Uint32Array;
}

export class ShardError extends Error {}

/** Rank k's list for strided mode: the padded (or truncated) epoch order. */
function paddedOrder(order: Uint32Array, replicas: number, dropLast: boolean): Uint32Array {
  const n = order.length;
  const total = dropLast ? Math.floor(n / replicas) * replicas : Math.ceil(n / replicas) * replicas;
  if (total <= n) return order.subarray(0, total);
  const out = new Uint32Array(total);
  out.set(order);
  for (let i = n; i < total; i++) out[i] = order[(i - n) % n];
  return out;
}

function stridedPlan(spec: ShardSpec, epoch: number, n: number): EpochPlan {
  const order = paddedOrder(epochOrder(spec.seed, epoch, n), spec.replicas, spec.dropLast);
  const total = order.length;
  const steps = spec.dropLast ? Math.floor(total / spec.batch) : Math.ceil(total / spec.batch);
  return {
    steps,
    rankBatch(step, rank) {
      const start = step * spec.batch;
      const end = Math.min(total, start + spec.batch);
      const ids: number[] = [];
      for (let i = start + rank; i < end; i += spec.replicas) ids.push(order[i]);
      return Uint32Array.from(ids);
    },
  };
}

/** Proportional plan over per-rank lists: rank k's rows through step t are ⌊|S_k|·rows(t)/total⌋. */
function proportionalPlan(spec: ShardSpec, lists: Uint32Array[]): EpochPlan {
  const total = lists.reduce((s, l) => s + l.length, 0);
  const steps = spec.dropLast ? Math.floor(total / spec.batch) : Math.ceil(total / spec.batch);
  const through = (k: number, step: number) => Math.floor((lists[k].length * Math.min(total, step * spec.batch)) / total);
  return {
    steps,
    rankBatch(step, rank) {
      return lists[rank].subarray(through(rank, step), through(rank, step + 1));
    },
  };
}

function contiguousLists(spec: ShardSpec, epoch: number, n: number): Uint32Array[] {
  const ids = paddedOrder(Uint32Array.from({ length: n }, (_, i) => i), spec.replicas, spec.dropLast);
  const size = ids.length / spec.replicas;
  return Array.from({ length: spec.replicas }, (_, k) => shuffled(ids.subarray(k * size, (k + 1) * size), spec.seed, epoch, k));
}

function labelLists(spec: ShardSpec, epoch: number, labels: Uint8Array): Uint32Array[] {
  const byRank: number[][] = Array.from({ length: spec.replicas }, () => []);
  labels.forEach((label, id) => byRank[label % spec.replicas].push(id));
  return byRank.map((ids, k) => shuffled(Uint32Array.from(ids), spec.seed, epoch, k));
}

function shuffled(ids: Uint32Array, seed: number, epoch: number, rank: number): Uint32Array {
  const p = permutation(createRng(seed, Stream.order, epoch, rank + 1), ids.length);
  return p.map((i) => ids[i]);
}

/** The plan of one epoch (1-based) for a training set with these labels. */
export function epochPlan(spec: ShardSpec, epoch: number, labels: Uint8Array): EpochPlan {
  const n = labels.length;
  if (spec.mode === 'strided') return stridedPlan(spec, epoch, n);
  if (spec.mode === 'contiguous') return proportionalPlan(spec, contiguousLists(spec, epoch, n));
  return proportionalPlan(spec, labelLists(spec, epoch, labels));
}

/**
 * Refuses a plan that would leave a replica without samples at some step (sizes do not depend on the
 * epoch, so epoch 1 stands for all), naming the limits.
 */
export function checkPlan(spec: ShardSpec, labels: Uint8Array, classes: number): void {
  const { replicas, batch } = spec;
  if (replicas > batch) throw new ShardError(`replicas: must be at most the global batch (${batch}), got ${replicas}`);
  if (spec.mode === 'label' && replicas > classes) {
    throw new ShardError(`replicas: shard=label gives each replica at least one class, so at most ${classes} replicas for this data set, got ${replicas}`);
  }
  const plan = epochPlan(spec, 1, labels);
  if (plan.steps === 0) throw new ShardError(`batch: must be at most the training set size ${labels.length}, got ${batch}`);
  for (let step = 0; step < plan.steps; step++) {
    for (let k = 0; k < replicas; k++) {
      if (plan.rankBatch(step, k).length === 0) {
        throw new ShardError(
          `batch: with replicas=${replicas} and batch=${batch}, replica ${k} gets no samples at step ${step + 1} of each epoch ` +
          `(the last batch is short); use droplast=1 or a batch that divides the ${labels.length} samples evenly`,
        );
      }
    }
  }
}
