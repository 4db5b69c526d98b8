// The GPU memory one training worker plans to hold, buffer by buffer and by kind (weights, gradients,
// optimizer state, activations, data, communication, backups), from the model before anything is
// allocated. With ZeRO (zero ≥ 1) a data-parallel replica holds the optimizer state of its shard alone
// (core/zero-shards.ts) and no good-state backups: the coordinator keeps the run's consistent states.
// At stage 3 it holds its shard of the weights and of the gradient, and one layer of each at a time (with
// accumulate > 1 the whole model's gradient instead of one layer of it: the micro-batches add up there before
// the reduce-scatter); at stage 2 (a whole batch per backward) its shard of the gradient and one layer of it.
import type { ModelLayout } from './model';
import { checkpoints } from './recompute';
import { layerRanges, layerwiseGradients, shardOf } from './zero-shards';

export type MemoryKind = 'parameters' | 'gradients' | 'optimizer state' | 'activations' | 'data' | 'communication' | 'backups';

export interface BufferNeed {
  name: string;
  kind: MemoryKind;
  bytes: number;
}

/** Copies of weights + optimizer state kept so a diverged run can hand back its last good state (gpu/state-backup.ts). */
export const BACKUP_SLOTS = 2;

/** A ZeRO replica: its rank among `world`, at `stage` (1, 2 or 3). */
export interface ZeroRank {
  stage: number;
  rank: number;
  world: number;
}

export interface TrainerMemory {
  layout: ModelLayout;
  /** Rows of the largest micro-batch or evaluation chunk. */
  maxRows: number;
  accumulate: number;
  trainSamples: number;
  testSamples: number;
  /** Keeps good-state backups (gradient all-reduce without ZeRO, and one device). */
  backups: boolean;
  /** Reads back (and writes) the flat vector each step through a staging buffer (a replica). */
  staging: boolean;
  zero?: ZeroRank;
  /** Activation recomputation (core/recompute.ts): segment inputs own buffers, the rest shared ones. */
  recompute?: boolean;
}

const F = 4;
/** WebGPU's smallest buffer the lab makes (gpu/context.ts storageBuffer). */
const atLeast16 = (bytes: number) => Math.max(16, Math.ceil(bytes / 4) * 4);

export function trainerBuffers(m: TrainerMemory): BufferNeed[] {
  const P = m.layout.totalFloats;
  const inputs = m.layout.sizes[0];
  const need = (name: string, kind: MemoryKind, bytes: number): BufferNeed => ({ name, kind, bytes: atLeast16(bytes) });
  const shard = m.zero ? shardOf(m.zero.rank, m.zero.world, P) : { lo: 0, hi: P };
  const stateBytes = (shard.hi - shard.lo) * F;
  const stage3 = m.zero?.stage === 3;
  const layerwise = layerwiseGradients(m.zero?.stage ?? 0, m.accumulate, m.recompute ?? false);
  const layerBytes = Math.max(...layerRanges(m.layout.layers, P).map((r) => r.hi - r.lo)) * F;
  const buffers: BufferNeed[] = [
    ...(stage3 ? [need('parameter shard', 'parameters', stateBytes), need('layer weights', 'parameters', layerBytes)]
      : [need('parameters', 'parameters', P * F)]),
    ...(layerwise ? [need('gradient shard', 'gradients', stateBytes), m.accumulate > 1
      ? need('gradient accumulator', 'gradients', P * F) : need('layer gradients', 'gradients', layerBytes)]
      // Below stage 2, or with micro-batches to add up or recomputation: the backward writes the whole flat gradient in one pass.
      : [need('gradients', 'gradients', P * F)]),
    need('optimizer state m', 'optimizer state', stateBytes),
    need('optimizer state v', 'optimizer state', stateBytes),
    ...(m.backups ? Array.from({ length: BACKUP_SLOTS }, (_, s) => ['weights', 'optimizer state m', 'optimizer state v'].map((what) => (
      need(`good-state backup ${s + 1}: ${what}`, 'backups', P * F)))).flat() : []),
    need('training data', 'data', m.trainSamples * inputs * F),
    need('training labels', 'data', m.trainSamples * F),
    need('test data', 'data', m.testSamples * inputs * F),
    need('test labels', 'data', m.testSamples * F),
    need('evaluation ids', 'data', m.testSamples * F),
    need('batch labels', 'activations', m.maxRows * F),
    // The whole-model trainer writes a step's micro-batches' ids at once; stage 3 one micro-batch's at a time.
    need('batch ids', 'activations', (stage3 ? 1 : m.accumulate) * Math.ceil(m.maxRows / 64) * 64 * F),
    ...(m.staging ? [need('readback staging', 'communication', layerwise ? Math.max(layerBytes, stateBytes) + 8 : P * F + 24)] : []),
  ];
  const homes = checkpoints(m.layout.sizes, m.recompute ?? false);
  m.layout.sizes.forEach((width, l) => {
    if (homes.shared[l] < 0) buffers.push(need(l === 0 ? 'input batch' : `activations ${l}`, 'activations', m.maxRows * width * F));
    if (l > 0) buffers.push(need(`activation gradients ${l}`, 'activations', m.maxRows * width * F));
  });
  homes.sharedWidths.forEach((width, i) => buffers.push(need(`recomputed activations ${i + 1}`, 'activations', m.maxRows * width * F)));
  return buffers;
}

/** Bytes of each kind. */
export function bytesByKind(buffers: readonly BufferNeed[]): Record<MemoryKind, number> {
  const out: Record<MemoryKind, number> = { parameters: 0, gradients: 0, 'optimizer state': 0, activations: 0, data: 0, communication: 0, backups: 0 };
  for (const b of buffers) out[b.kind] += b.bytes;
  return out;
}
