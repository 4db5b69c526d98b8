// What the memory bars draw: each replica's planned GPU memory by kind (core/memory-plan.ts) for the
// config, as its trainer plans it but for the data sets (the same on every replica) and evaluation rows.
import type { RunConfig } from '../../core/config';
import { datasetShape } from '../../core/datasets';
import { bytesByKind, trainerBuffers, type MemoryKind } from '../../core/memory-plan';
import { layerSizes, modelLayout } from '../../core/model';

export const MEMORY_KINDS: readonly { kind: MemoryKind; label: string; color: string }[] = [
  { kind: 'parameters', label: 'weights', color: '#2563eb' },
  { kind: 'gradients', label: 'gradients', color: '#f59e0b' },
  { kind: 'optimizer state', label: 'optimizer state', color: '#9333ea' },
  { kind: 'backups', label: 'good-state backups', color: '#94a3b8' },
  { kind: 'activations', label: 'activations (a micro-batch of the whole batch)', color: '#16a34a' },
  { kind: 'communication', label: 'readback staging', color: '#334155' },
];

/** A bar's whole length: its bytes of every kind drawn. */
export const totalBytes = (b: Record<MemoryKind, number>): number => MEMORY_KINDS.reduce((s, k) => s + b[k.kind], 0);

/** Bytes of each kind per replica, in rank order; null when the data set's shape is not known here. */
export function replicaMemoryBars(c: RunConfig): Record<MemoryKind, number>[] | null {
  let shape;
  try {
    shape = datasetShape(c.dataset);
  } catch {
    return null;
  }
  const layout = modelLayout(layerSizes(c, shape.inputs, shape.classes));
  const step = c.sync === 'step';
  return Array.from({ length: c.replicas }, (_, rank) => bytesByKind(trainerBuffers({
    layout, maxRows: Math.ceil(c.batch / c.accumulate), accumulate: c.accumulate, trainSamples: 0, testSamples: 0, recompute: c.recompute === 1,
    backups: step && c.zero === 0, staging: true, zero: step && c.zero > 0 ? { stage: c.zero, rank, world: c.replicas } : undefined,
  })));
}
