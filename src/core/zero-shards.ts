// ZeRO's shards of the flat parameter vector (config zero ≥ 1): each of N data-parallel replicas owns one
// contiguous range of the P floats, whose optimizer state it alone keeps and whose weights it alone updates.
// Rank r owns chunk (r + 1) mod N, the chunk the ring's reduce-scatter leaves summed on it; bounds fall on
// multiples of 64 floats (256 bytes, WebGPU's storage binding offset alignment) so a shard binds in place.
// At stage 3 a layer's weights are all-gathered, and its gradient reduce-scattered, over these same chunks
// clipped to the layer's range (layerBounds), so each rank's shard of every layer is its shard of the whole.
import type { LayerSlots, ModelLayout } from './model';
import { checkpoints, recomputedBefore } from './recompute';

export const SHARD_ALIGN_FLOATS = 64;

/** Chunk c covers [bounds[c], bounds[c+1]); a chunk may be empty when P < 64·N. */
export function zeroBounds(floats: number, world: number): number[] {
  return Array.from({ length: world + 1 }, (_, c) => (c === world ? floats
    : Math.min(floats, Math.floor((floats * c) / world / SHARD_ALIGN_FLOATS) * SHARD_ALIGN_FLOATS)));
}

/** The chunk rank `rank` owns. */
export const ownedChunk = (rank: number, world: number): number => (rank + 1) % world;

export interface Shard {
  /** First float. */
  lo: number;
  /** One past the last float. */
  hi: number;
}

export function shardOf(rank: number, world: number, floats: number): Shard {
  const bounds = zeroBounds(floats, world);
  const c = ownedChunk(rank, world);
  return { lo: bounds[c], hi: bounds[c + 1] };
}

/** Layer l's range [lo, hi) of the flat vector: its W, then its b, with their padding. */
export function layerRanges(layers: readonly LayerSlots[], totalFloats: number): Shard[] {
  return layers.map((layer, l) => ({ lo: layer.w.offset, hi: layers[l + 1]?.w.offset ?? totalFloats }));
}

/** The chunks of zeroBounds clipped to `range`, relative to its start (chunks outside it are empty). */
export function layerBounds(bounds: readonly number[], range: Shard): number[] {
  return bounds.map((b) => Math.min(range.hi, Math.max(range.lo, b)) - range.lo);
}

/** The lengths of the vectors a replica sends through star: the model's, and from stage 2 on each layer's too. */
export function starLengths(layout: ModelLayout, stage: number): number[] {
  const P = layout.totalFloats;
  return [P, ...(stage >= 2 ? layerRanges(layout.layers, P).map((r) => r.hi - r.lo) : [])];
}

/**
 * The floats a stage 3 replica's collectives carry a step, as a count of the model's: each of `accumulate`
 * micro-batches gathers every layer before its forward and again before its backward, and with recomputation
 * each layer whose forward runs again once more; the step reduce-scatters the gradient once.
 */
export function stage3SentFloats(layout: ModelLayout, accumulate: number, recompute: boolean): number {
  const P = layout.totalFloats;
  const ranges = layerRanges(layout.layers, P);
  const c = checkpoints(layout.sizes, recompute);
  const again = ranges.reduce((s, _, l) => {
    const r = recomputedBefore(c, l + 1, ranges.length);
    return s + (r ? ranges.slice(r[0] - 1, r[1]).reduce((t, x) => t + x.hi - x.lo, 0) : 0);
  }, 0);
  return accumulate * (2 * P + again) + P;
}

/**
 * Whether a replica reduce-scatters each layer's gradient as the backward reaches it, keeping only its shard of
 * the gradient: at stage 3, and at stage 2 when one backward pass makes the step's whole gradient (no
 * micro-batches to add up first, no recomputation, which runs in the whole-model trainer).
 */
export const layerwiseGradients = (stage: number, accumulate: number, recompute: boolean): boolean =>
  stage === 3 || (stage === 2 && accumulate === 1 && !recompute);
