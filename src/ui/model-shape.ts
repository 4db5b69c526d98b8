// The memory one replica holds for a layout (float32, as the GPU trainer allocates it), for the
// network view.
import type { ModelLayout } from '../core/model';

const BYTES = 4;

export interface ReplicaMemory {
  parameters: number;
  gradients: number;
  /** Adam's first and second moments, one flat buffer each (the trainer keeps them for every optimizer). */
  adam: number;
  /** Forward activations of every layer for `rows` samples, and their gradients in the backward pass. */
  activations: number;
  total: number;
}

/** Bytes of one replica's buffers; the flat buffers include the 64-float alignment padding. */
export function replicaMemory(layout: ModelLayout, rows: number): ReplicaMemory {
  const flat = layout.totalFloats * BYTES;
  const forward = layout.sizes.reduce((s, w) => s + w, 0);
  const backward = forward - layout.sizes[0];
  const activations = rows * (forward + backward) * BYTES;
  return { parameters: flat, gradients: flat, adam: 2 * flat, activations, total: 4 * flat + activations };
}
