// Data order: each epoch is a seeded permutation of the training set (from seed and epoch, like
// PyTorch's DistributedSampler.set_epoch), cut into global batches; the last batch may be short.
import { createRng, permutation, Stream } from './rng';

export function epochOrder(seed: number, epoch: number, n: number): Uint32Array {
  return permutation(createRng(seed, Stream.order, epoch), n);
}

export function stepsPerEpoch(n: number, batch: number): number {
  return Math.ceil(n / batch);
}

/** The sample ids of global batch `index` (0-based) within an epoch order. */
export function batchIndices(order: Uint32Array, batch: number, index: number): Uint32Array {
  return order.subarray(index * batch, Math.min(order.length, (index + 1) * batch));
}
