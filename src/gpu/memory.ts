// Memory a training config needs on one device, checked against the device's limits before any
// allocation so an absurd config is refused with the numbers instead of crashing the GPU.
import type { ModelLayout } from '../core/model';

export interface BufferNeed {
  name: string;
  bytes: number;
}

export interface MemoryPlan {
  buffers: BufferNeed[];
  totalBytes: number;
}

/** Copies of weights + optimizer state kept so a diverged run can hand back its last good state (state-backup.ts). */
export const BACKUP_SLOTS = 2;

/** A sane ceiling on one worker's total GPU memory, whatever the adapter claims. */
export const MAX_TOTAL_BYTES = 1024 ** 3;

/** The flat buffers of P floats every trainer holds: weights, gradients and the optimizer's m and v. */
export function stateNeeds(floats: number): BufferNeed[] {
  return ['parameters', 'gradients', 'optimizer state m', 'optimizer state v'].map((name) => ({ name, bytes: floats * 4 }));
}

export function memoryPlan(buffers: BufferNeed[]): MemoryPlan {
  return { buffers, totalBytes: buffers.reduce((s, b) => s + b.bytes, 0) };
}

export function planMemory(layout: ModelLayout, maxRows: number, trainSamples: number, testSamples: number): MemoryPlan {
  const f = 4;
  const inputs = layout.sizes[0];
  const buffers: BufferNeed[] = [
    ...stateNeeds(layout.totalFloats),
    ...Array.from({ length: BACKUP_SLOTS }, (_, s) => ['weights', 'optimizer state m', 'optimizer state v'].map((what) => ({
      name: `good-state backup ${s + 1}: ${what}`, bytes: layout.totalFloats * f,
    }))).flat(),
    { name: 'training data', bytes: trainSamples * (inputs + 1) * f },
    { name: 'test data', bytes: testSamples * (inputs + 1) * f },
  ];
  layout.sizes.forEach((width, l) => {
    buffers.push({ name: l === 0 ? 'input batch' : `activations ${l}`, bytes: maxRows * width * f });
    if (l > 0) buffers.push({ name: `activation gradients ${l}`, bytes: maxRows * width * f });
  });
  return memoryPlan(buffers);
}

const mib = (bytes: number) => `${(bytes / 1024 ** 2).toFixed(1)} MiB`;

/** Throws a message naming the limit and the numbers when the plan does not fit the device. */
export function checkMemory(plan: MemoryPlan, limits: GPUSupportedLimits): void {
  const perBuffer = Math.min(limits.maxStorageBufferBindingSize, limits.maxBufferSize);
  for (const b of plan.buffers) {
    if (b.bytes > perBuffer) {
      throw new Error(
        `model too large for this GPU: ${b.name} needs ${mib(b.bytes)}, over the device limit ` +
        `maxStorageBufferBindingSize/maxBufferSize of ${mib(perBuffer)}; use fewer or narrower layers or a smaller batch`,
      );
    }
  }
  if (plan.totalBytes > MAX_TOTAL_BYTES) {
    throw new Error(
      `model too large: needs ${mib(plan.totalBytes)} of GPU memory in all, over the lab's limit of ${mib(MAX_TOTAL_BYTES)}; ` +
      'use fewer or narrower layers or a smaller batch',
    );
  }
}
