// The run in progress, saved in IndexedDB (config, weights and optimizer state, metrics so far) every
// few steps and at pause, so a reload or a crashed tab can resume it exactly.
import type { RunConfig } from '../core/config';
import type { MetricRecord } from '../core/metrics';
import type { TrainingState } from '../parallel/page-session';

export interface SavedRun {
  config: RunConfig;
  state: TrainingState;
  /** The metric records up to the saved step. */
  records: MetricRecord[];
  savedAt: number;
}

const DB = 'webgpu-training-lab';
const STORE = 'runs';
const KEY = 'current';

function open(): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    const request = indexedDB.open(DB, 1);
    request.onupgradeneeded = () => request.result.createObjectStore(STORE);
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error ?? new Error('IndexedDB is not available'));
  });
}

async function transact<T>(mode: IDBTransactionMode, act: (store: IDBObjectStore) => IDBRequest<T>): Promise<T> {
  const db = await open();
  try {
    return await new Promise<T>((resolve, reject) => {
      const request = act(db.transaction(STORE, mode).objectStore(STORE));
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error ?? new Error('IndexedDB request failed'));
    });
  } finally {
    db.close();
  }
}

export async function saveRun(run: SavedRun): Promise<void> {
  await transact('readwrite', (store) => store.put(run, KEY));
}

export async function loadSavedRun(): Promise<SavedRun | null> {
  return (await transact<SavedRun | undefined>('readonly', (store) => store.get(KEY))) ?? null;
}

export async function clearSavedRun(): Promise<void> {
  await transact('readwrite', (store) => store.delete(KEY));
}
