// The network's shape for the model views: input and class counts of a data set without loading it,
// and the memory one replica holds for a layout (float32, as the GPU trainer allocates it).
import type { DatasetName } from '../core/config';
import { MNIST_PIXELS, twoDDataset } from '../core/datasets';
import type { ModelLayout } from '../core/model';

const BYTES = 4;

export function datasetShape(name: DatasetName): { inputs: number; classes: number } {
  if (name === 'mnist') return { inputs: MNIST_PIXELS, classes: 10 };
  const d = twoDDataset(name, 0);
  return { inputs: d.inputs, classes: d.classes };
}

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
