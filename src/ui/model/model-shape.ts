// The memory one replica holds for a layout (float32, as the GPU trainer allocates it), for the
// network view.
import type { ModelLayout } from '../../core/model';
import { planMemory } from '../../gpu/memory';

export interface ReplicaMemory {
  parameters: number;
  gradients: number;
  /** Adam's first and second moments, one flat buffer each (the trainer keeps them for every optimizer). */
  adam: number;
  /** Forward activations of every layer for `rows` samples, and their gradients in the backward pass. */
  activations: number;
  total: number;
}

/**
 * Bytes of one replica's model buffers, grouped for the network view: the trainer's own memory plan
 * (src/gpu/memory.ts) without the data sets. The flat buffers include the 64-float alignment padding.
 */
export function replicaMemory(layout: ModelLayout, rows: number): ReplicaMemory {
  const { buffers } = planMemory(layout, rows, 0, 0);
  const bytes = (prefix: string) => buffers.filter((b) => b.name.startsWith(prefix)).reduce((s, b) => s + b.bytes, 0);
  const memory = {
    parameters: bytes('parameters'),
    gradients: bytes('gradients'),
    adam: bytes('optimizer state'),
    activations: bytes('input batch') + bytes('activation'),
  };
  return { ...memory, total: memory.parameters + memory.gradients + memory.adam + memory.activations };
}
