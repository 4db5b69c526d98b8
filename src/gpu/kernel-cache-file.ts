// The CLI's kernel cache: one JSON file, $LAB_KERNEL_CACHE or else
// $XDG_CACHE_HOME/webgpu-training-lab/kernels.json (~/.cache/… without XDG_CACHE_HOME). Node only.
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { cacheKey, type CachedChoices, type KernelCache } from './kernel-cache';

export function kernelCachePath(): string {
  return process.env.LAB_KERNEL_CACHE ?? join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'webgpu-training-lab', 'kernels.json');
}

function readAll(path: string): Record<string, CachedChoices> {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as Record<string, CachedChoices>;
  } catch {
    return {};
  }
}

/** A file that cannot be read or written (read-only home) only costs a measurement: it never stops a run. */
export function fileKernelCache(path = kernelCachePath()): KernelCache {
  return {
    load: async (adapter) => readAll(path)[cacheKey(adapter)] ?? {},
    save: async (adapter, choices) => {
      const all = readAll(path);
      all[cacheKey(adapter)] = { ...all[cacheKey(adapter)], ...choices };
      try {
        mkdirSync(dirname(path), { recursive: true });
        writeFileSync(`${path}.${process.pid}.tmp`, `${JSON.stringify(all, null, 1)}\n`);
        renameSync(`${path}.${process.pid}.tmp`, path);
      } catch {
        // Measured again next run.
      }
    },
  };
}
