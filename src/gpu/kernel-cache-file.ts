// The CLI's kernel cache: one JSON file, $LAB_KERNEL_CACHE or else
// $XDG_CACHE_HOME/webgpu-training-lab/kernels.json (~/.cache/… without XDG_CACHE_HOME). Node only.
import { closeSync, mkdirSync, openSync, readFileSync, renameSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { threadId } from 'node:worker_threads';
import { cacheKey, type CachedChoices, type KernelCache } from './kernel-cache';

/** A lock older than this was left by a run that died while measuring. */
const STALE_LOCK_MS = 60_000;
const LOCK_POLL_MS = 25;

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
        writeFileSync(`${path}.${process.pid}.${threadId}.tmp`, `${JSON.stringify(all, null, 1)}\n`);
        renameSync(`${path}.${process.pid}.${threadId}.tmp`, path);
      } catch {
        // Measured again next run.
      }
    },
    exclusive: (_adapter, work) => withLockFile(`${path}.lock`, work),
  };
}

/** Whether a lock file was left behind: its process is gone, or it is older than any measurement takes. */
function stale(lock: string): boolean {
  try {
    const pid = Number(readFileSync(lock, 'utf8'));
    if (Date.now() - statSync(lock).mtimeMs > STALE_LOCK_MS) return true;
    process.kill(pid, 0);
    return false;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

/**
 * Runs `work` holding `lock` (created exclusively, holding the pid), so the CLI's replica threads and other
 * runs take turns on the cache file. Where no lock can be made (a read-only folder) `work` runs at once.
 */
async function withLockFile<T>(lock: string, work: () => Promise<T>): Promise<T> {
  for (;;) {
    try {
      mkdirSync(dirname(lock), { recursive: true });
      const fd = openSync(lock, 'wx');
      writeFileSync(fd, String(process.pid));
      closeSync(fd);
      break;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') return work();
      if (stale(lock)) {
        try { unlinkSync(lock); } catch { /* another waiter removed it first */ }
      } else {
        await new Promise((resolve) => setTimeout(resolve, LOCK_POLL_MS));
      }
    }
  }
  try {
    return await work();
  } finally {
    try { unlinkSync(lock); } catch { /* gone already */ }
  }
}
