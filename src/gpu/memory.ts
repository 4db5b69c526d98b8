// Memory a training config needs on one device, checked against the device's limits before any
// allocation so an absurd config is refused with the numbers instead of crashing the GPU.
import { trainerBuffers, type TrainerMemory } from '../core/memory-plan';
import type { ModelLayout } from '../core/model';

export { BACKUP_SLOTS } from '../core/memory-plan';

export interface BufferNeed {
  name: string;
  bytes: number;
}

export interface MemoryPlan {
  buffers: BufferNeed[];
  totalBytes: number;
}

/** A sane ceiling on one worker's total GPU memory, whatever the adapter claims. */
export const MAX_TOTAL_BYTES = 1024 ** 3;

export function memoryPlan(buffers: BufferNeed[]): MemoryPlan {
  return { buffers, totalBytes: buffers.reduce((s, b) => s + b.bytes, 0) };
}

/** One trainer's buffers (core/memory-plan.ts), by default a single device's: good-state backups, no staging. */
export function planMemory(
  layout: ModelLayout, maxRows: number, trainSamples: number, testSamples: number,
  more: Partial<Pick<TrainerMemory, 'accumulate' | 'backups' | 'staging' | 'zero' | 'recompute'>> = {},
): MemoryPlan {
  return memoryPlan(trainerBuffers({ layout, maxRows, trainSamples, testSamples, accumulate: 1, backups: true, staging: false, ...more }));
}

// Two decimals below 10 MiB, so that a small memlimit and the plan over it do not read the same.
const mib = (bytes: number) => `${(bytes / 1024 ** 2).toFixed(bytes < 10 * 1024 ** 2 ? 2 : 1)} MiB`;

/** Throws a message naming the limit and the numbers when the plan does not fit the device; `memlimit` in MiB (0: the lab's). */
export function checkMemory(plan: MemoryPlan, limits: GPUSupportedLimits, memlimit = 0): void {
  const perBuffer = Math.min(limits.maxStorageBufferBindingSize, limits.maxBufferSize);
  for (const b of plan.buffers) {
    if (b.bytes > perBuffer) {
      throw new Error(
        `model too large for this GPU: ${b.name} needs ${mib(b.bytes)}, over the device limit ` +
        `maxStorageBufferBindingSize/maxBufferSize of ${mib(perBuffer)}; use fewer or narrower layers or a smaller batch`,
      );
    }
  }
  const total = memlimit > 0 ? Math.min(memlimit * 1024 ** 2, MAX_TOTAL_BYTES) : MAX_TOTAL_BYTES;
  if (plan.totalBytes > total) {
    throw new Error(
      `model too large: needs ${mib(plan.totalBytes)} of GPU memory in all, over ${memlimit > 0 ? 'memlimit, the limit' : 'the lab\'s limit'} of ${mib(total)}; ` +
      'use fewer or narrower layers or a smaller batch',
    );
  }
}
