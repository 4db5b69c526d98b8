// Data distribution: which sample ids each rank trains on at each step. Every run takes its batches from
// this one plan, single-device runs included (one replica: the epoch's seeded order cut into global
// batches, whatever the shard mode, since there is nothing to split).
// droplast=1: an epoch is ⌊n/B⌋ whole global batches and the samples that do not fill one are left out,
//             for any number of replicas, so N replicas train exactly like one device.
// droplast=0: the last batch may be short; strided and contiguous pad the epoch to a multiple of N by
//             repeating its first ids, as DistributedSampler does, and rankPadding names those repeats.
// strided:    PyTorch DistributedSampler — shuffle from (seed, epoch); global batch t is order[tB, (t+1)B)
//             and rank k takes its elements k, k+N, …
// contiguous: rank k owns the k-th contiguous block of sample ids and shuffles it each epoch.
// label:      non-IID — class c belongs to rank c mod N; each rank shuffles its classes' samples.
// In contiguous and label modes each step takes from each rank in proportion to its shard's size, so
// every sample is used once per epoch; the loss and gradient are always the mean over the global batch.
// balance=speed (strided only): the global batches of one device, unpadded, each cut into contiguous
//             slices by the replicas' shares (speedShares, from their measured speed), re-planned each epoch.
import type { BalanceMode, RunConfig, ShardMode } from './config';
import { createRng, permutation, Stream } from './rng';
import { epochOrder } from './sampler';

export interface ShardSpec {
  mode: ShardMode;
  balance: BalanceMode;
  replicas: number;
  batch: number;
  dropLast: boolean;
  seed: number;
}

export function shardSpec(config: RunConfig): ShardSpec {
  return { mode: config.shard, balance: config.balance, replicas: config.replicas, batch: config.batch, dropLast: config.droplast === 1, seed: config.seed };
}

export interface EpochPlan {
  steps: number;
  /** Sample ids of rank `rank` at step `step` (0-based within the epoch). */
  rankBatch(step: number, rank: number): Uint32Array;
  /** Positions in rankBatch(step, rank) that repeat an earlier sample to pad the epoch (droplast=0). */
  rankPadding(step: number, rank: number): number[];
}

export class ShardError extends Error {}

/** The epoch's length in positions: n, or with droplast=0 padded up to a multiple of N (never with balance=speed). */
function paddedLength(spec: ShardSpec, n: number): number {
  return spec.dropLast || spec.balance === 'speed' ? n : Math.ceil(n / spec.replicas) * spec.replicas;
}

/** How many repeats pad each epoch of n samples: none with droplast=1, one replica, balance=speed, or shard=label. */
export function epochPadding(spec: ShardSpec, n: number): number {
  return spec.mode === 'label' ? 0 : paddedLength(spec, n) - n;
}

const stepsOf = (spec: ShardSpec, positions: number) =>
  spec.dropLast ? Math.floor(positions / spec.batch) : Math.ceil(positions / spec.batch);

/** A plan over positions in the padded epoch: position p holds sample idAt(p mod n), and p ≥ n is a repeat. */
function fromPositions(
  steps: number, n: number, idAt: (i: number) => number, positions: (step: number, rank: number) => Uint32Array,
): EpochPlan {
  return {
    steps,
    rankBatch: (step, rank) => positions(step, rank).map((p) => idAt(p % n)),
    rankPadding: (step, rank) => Array.from(positions(step, rank)).flatMap((p, i) => (p >= n ? [i] : [])),
  };
}

function stridedPlan(spec: ShardSpec, epoch: number, n: number): EpochPlan {
  const order = epochOrder(spec.seed, epoch, n);
  const steps = stepsOf(spec, paddedLength(spec, n));
  const total = spec.dropLast ? steps * spec.batch : paddedLength(spec, n);
  return fromPositions(steps, n, (i) => order[i], (step, rank) => {
    const start = step * spec.batch;
    const end = Math.min(total, start + spec.batch);
    const out: number[] = [];
    for (let p = start + rank; p < end; p += spec.replicas) out.push(p);
    return Uint32Array.from(out);
  });
}

/** Proportional plan over per-rank position lists: rank k's rows through step t are ⌊|S_k|·rows(t)/total⌋. */
function proportionalPlan(spec: ShardSpec, n: number, lists: Uint32Array[]): EpochPlan {
  const total = lists.reduce((s, l) => s + l.length, 0);
  const through = (k: number, step: number) => Math.floor((lists[k].length * Math.min(total, step * spec.batch)) / total);
  return fromPositions(stepsOf(spec, total), n, (i) => i, (step, rank) => lists[rank].subarray(through(rank, step), through(rank, step + 1)));
}

/** Rank k's block of the (padded) positions, shuffled each epoch; blocks differ by one at most. */
function contiguousLists(spec: ShardSpec, epoch: number, n: number): Uint32Array[] {
  const total = paddedLength(spec, n);
  const from = (k: number) => Math.floor((k * total) / spec.replicas);
  return Array.from({ length: spec.replicas }, (_, k) =>
    shuffled(Uint32Array.from({ length: from(k + 1) - from(k) }, (_, i) => from(k) + i), spec.seed, epoch, k));
}

/** shard=label: the rank that owns class `label`. */
export const labelOwner = (label: number, replicas: number) => label % replicas;

function labelLists(spec: ShardSpec, epoch: number, labels: Uint8Array): Uint32Array[] {
  const byRank: number[][] = Array.from({ length: spec.replicas }, () => []);
  labels.forEach((label, id) => byRank[labelOwner(label, spec.replicas)].push(id));
  return byRank.map((ids, k) => shuffled(Uint32Array.from(ids), spec.seed, epoch, k));
}

function shuffled(ids: Uint32Array, seed: number, epoch: number, rank: number): Uint32Array {
  const p = permutation(createRng(seed, Stream.order, epoch, rank + 1), ids.length);
  return p.map((i) => ids[i]);
}

/** The smallest share speedShares gives a replica, as a fraction of an equal share: it keeps training, and measured. */
export const MIN_SHARE_OF_EQUAL = 0.1;

export const equalShares = (world: number): number[] => Array.from({ length: world }, () => 1 / world);

/**
 * balance=speed: each replica's share of the global batch, proportional to its throughput (1 / its
 * compute time per sample), none below MIN_SHARE_OF_EQUAL of an equal share; they sum to 1. A function
 * of the measured numbers alone, so every replica that is given them cuts the same plan.
 */
export function speedShares(msPerSample: readonly number[]): number[] {
  const world = msPerSample.length;
  if (msPerSample.some((ms) => !(ms > 0) || !Number.isFinite(ms))) return equalShares(world);
  const floor = MIN_SHARE_OF_EQUAL / world;
  const speed = msPerSample.map((ms) => 1 / ms);
  // Replicas held at the floor leave the rest of the batch to the others, in proportion to their speed.
  const held = new Set<number>();
  for (;;) {
    const free = speed.reduce((s, v, k) => (held.has(k) ? s : s + v), 0);
    const left = 1 - held.size * floor;
    const below = speed.findIndex((v, k) => !held.has(k) && (v / free) * left < floor);
    if (below < 0) return speed.map((v, k) => (held.has(k) ? floor : (v / free) * left));
    held.add(below);
  }
}

/**
 * `rows` cut by `shares` by largest remainder (ties to the lower rank), then one row taken from the
 * largest part (the lower rank of equals) for each replica left with none. Needs rows ≥ shares.length.
 */
export function shareRows(rows: number, shares: readonly number[]): number[] {
  // A batch shorter than the world (checkPlan refuses such a plan, naming the replica left without samples).
  if (rows < shares.length) return shares.map((_, k) => (k < rows ? 1 : 0));
  const quotas = shares.map((s) => s * rows);
  const out = quotas.map((q) => Math.floor(q));
  const order = quotas.map((q, k) => ({ k, r: q - Math.floor(q) })).sort((a, b) => b.r - a.r || a.k - b.k);
  for (let i = 0, left = rows - out.reduce((s, r) => s + r, 0); i < left; i++) out[order[i].k]++;
  out.forEach((r, k) => {
    if (r > 0) return;
    out[out.indexOf(Math.max(...out))]--;
    out[k] = 1;
  });
  return out;
}

function checkShares(shares: readonly number[], world: number): void {
  if (shares.length !== world) throw new ShardError(`balance: ${shares.length} shares for ${world} replicas`);
  const sum = shares.reduce((s, x) => s + x, 0);
  if (shares.some((x) => !(x > 0) || !Number.isFinite(x)) || Math.abs(sum - 1) > 1e-9) {
    throw new ShardError(`balance: shares must be positive and sum to 1, got ${shares.join(', ')}`);
  }
}

/** balance=speed: global batch t is order[tB, (t+1)B) as on one device; rank k takes its k-th slice of it by `shares`. */
function balancedPlan(spec: ShardSpec, epoch: number, n: number, shares: readonly number[]): EpochPlan {
  const order = epochOrder(spec.seed, epoch, n);
  const steps = stepsOf(spec, n);
  return fromPositions(steps, n, (i) => order[i], (step, rank) => {
    const start = step * spec.batch;
    const rows = shareRows(Math.min(n, start + spec.batch) - start, shares);
    const from = start + rows.slice(0, rank).reduce((s, r) => s + r, 0);
    return Uint32Array.from({ length: rows[rank] }, (_, i) => from + i);
  });
}

/**
 * The plan of one epoch (1-based) for a training set with these labels. With balance=speed, `shares`
 * (one per replica, summing to 1; equal when absent) cut each global batch: a changed world (spec.replicas)
 * or new shares re-plan it, with the same global batches.
 */
export function epochPlan(spec: ShardSpec, epoch: number, labels: Uint8Array, shares?: readonly number[]): EpochPlan {
  const n = labels.length;
  if (spec.balance === 'speed' && spec.replicas > 1) {
    if (shares) checkShares(shares, spec.replicas);
    return balancedPlan(spec, epoch, n, shares ?? equalShares(spec.replicas));
  }
  if (spec.mode === 'strided' || spec.replicas === 1) return stridedPlan(spec, epoch, n);
  if (spec.mode === 'contiguous') return proportionalPlan(spec, n, contiguousLists(spec, epoch, n));
  return proportionalPlan(spec, n, labelLists(spec, epoch, labels));
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
        const shortLast = step === plan.steps - 1 && !spec.dropLast;
        throw new ShardError(
          `batch: with replicas=${replicas} and batch=${batch}, replica ${k} gets no samples at step ${step + 1} of each epoch` + (shortLast
            ? ` (the last batch is short); use droplast=1 or a batch that divides the ${labels.length} samples evenly`
            : `; use a larger batch or fewer replicas`),
        );
      }
    }
  }
}
