// Where `kernel=auto` keeps its choices, per adapter: IndexedDB in the page and its workers; in Node the
// CLI installs a JSON file (kernel-cache-file.ts); elsewhere (tests) a map that lasts the process.
// Entries are keyed by the product and shape; the kernel list is part of the adapter's key, so a lab
// with other kernels measures afresh.
import { MATMUL_KERNELS, type MatmulKernel } from '../core/config';
import type { KernelTiming } from '../core/metrics';

export interface CachedChoice {
  kernel: MatmulKernel;
  timings: KernelTiming[];
}

export type CachedChoices = Record<string, CachedChoice>;

export interface KernelCache {
  load(adapter: string): Promise<CachedChoices>;
  /** Adds to what the adapter has. */
  save(adapter: string, choices: CachedChoices): Promise<void>;
}

/** The key an adapter's choices are kept under. */
export const cacheKey = (adapter: string) => `${adapter} | ${MATMUL_KERNELS.join(',')}`;

function memoryCache(): KernelCache {
  const kept = new Map<string, CachedChoices>();
  return {
    load: async (adapter) => kept.get(cacheKey(adapter)) ?? {},
    save: async (adapter, choices) => { kept.set(cacheKey(adapter), { ...kept.get(cacheKey(adapter)), ...choices }); },
  };
}

const STORE = 'kernels';

function openDb(): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    const request = indexedDB.open('webgpu-training-lab-kernels', 1);
    request.onupgradeneeded = () => request.result.createObjectStore(STORE);
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
}

function idbRequest<T>(run: (store: IDBObjectStore) => IDBRequest<T>, mode: IDBTransactionMode): Promise<T> {
  return openDb().then((db) => new Promise<T>((resolve, reject) => {
    const request = run(db.transaction(STORE, mode).objectStore(STORE));
    request.onsuccess = () => { resolve(request.result); db.close(); };
    request.onerror = () => { reject(request.error); db.close(); };
  }));
}

/** A cache that fails (private browsing, a full disk) only costs a measurement: it never stops a run. */
function indexedDbCache(): KernelCache {
  const load = async (adapter: string) => (await idbRequest((s) => s.get(cacheKey(adapter)), 'readonly').catch(() => undefined) as CachedChoices | undefined) ?? {};
  return {
    load,
    save: async (adapter, choices) => {
      const merged = { ...(await load(adapter)), ...choices };
      await idbRequest((s) => s.put(merged, cacheKey(adapter)), 'readwrite').catch(() => undefined);
    },
  };
}

let installed: KernelCache | null = null;

export function kernelCache(): KernelCache {
  installed ??= typeof indexedDB === 'undefined' ? memoryCache() : indexedDbCache();
  return installed;
}

export function setKernelCache(cache: KernelCache): void {
  installed = cache;
}
