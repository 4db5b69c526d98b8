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
  /**
   * Runs `work` while no other worker that shares this cache holds the adapter: workers on one adapter
   * measure one after another, since timings taken at once skew each other, and each finds what the ones
   * before it saved.
   */
  exclusive<T>(adapter: string, work: () => Promise<T>): Promise<T>;
}

/** The key an adapter's choices are kept under. */
export const cacheKey = (adapter: string) => `${adapter} | ${MATMUL_KERNELS.join(',')}`;

const turns = new Map<string, Promise<unknown>>();

/** `work` after the work this thread queued before under `key` has settled (replicas served in one thread, as in tests). */
export function inTurn<T>(key: string, work: () => Promise<T>): Promise<T> {
  const result = (turns.get(key) ?? Promise.resolve()).then(work);
  turns.set(key, result.catch(() => undefined));
  return result;
}

function memoryCache(): KernelCache {
  const kept = new Map<string, CachedChoices>();
  return {
    load: async (adapter) => kept.get(cacheKey(adapter)) ?? {},
    save: async (adapter, choices) => { kept.set(cacheKey(adapter), { ...kept.get(cacheKey(adapter)), ...choices }); },
    exclusive: (adapter, work) => inTurn(cacheKey(adapter), work),
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
    // A Web Lock is held across the page's workers (and its other tabs); without Web Locks, in this thread only.
    exclusive: (adapter, work) => (typeof navigator !== 'undefined' && navigator.locks
      ? navigator.locks.request(`${STORE} ${cacheKey(adapter)}`, work)
      : inTurn(cacheKey(adapter), work)),
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
