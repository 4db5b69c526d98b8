// The data set of the run shown, for the page's views (shard map, label histograms, test digits) and the
// exports, loaded with the same loader as the replicas. A data file (MNIST, an imported CSV) is decoded in
// a worker of its own, so it never blocks the page; the 2-D sets are generated in place, in a moment.
// Kept per data set (and seed, which only the 2-D sets depend on).
import { useEffect, useState } from 'react';
import type { DatasetName } from '../../core/config';
import { isCsvDataset, loadDataset, type Dataset } from '../../core/datasets';
import { fetchAsset } from '../../parallel/fetch-asset';
import type { DatasetRequest, DatasetResponse } from './dataset-worker';

const KEEP = 3;
const cache = new Map<string, Promise<Dataset>>();

const cacheKey = (name: DatasetName, seed: number) => (name === 'mnist' ? name : `${name}:${seed}`);

/** The data set of a run, loaded once and shared by the views and the exports. */
export function loadRunDataset(name: DatasetName, seed: number): Promise<Dataset> {
  const key = cacheKey(name, seed);
  let pending = cache.get(key);
  if (!pending) {
    pending = name === 'mnist' || isCsvDataset(name) ? loadOffThread(name, seed) : loadDataset(name, seed, fetchAsset);
    pending.catch(() => cache.delete(key));
    cache.set(key, pending);
    while (cache.size > KEEP) cache.delete(cache.keys().next().value!);
  }
  return pending;
}

function loadOffThread(name: DatasetName, seed: number): Promise<Dataset> {
  const worker = new Worker(new URL('./dataset-worker.ts', import.meta.url), { type: 'module', name: `data set ${name}` });
  return new Promise<Dataset>((resolve, reject) => {
    worker.onmessage = (e: MessageEvent<DatasetResponse>) => ('dataset' in e.data ? resolve(e.data.dataset) : reject(new Error(e.data.error)));
    worker.onerror = (e) => reject(new Error(e.message || `the data set worker for ${name} failed to load`));
    worker.postMessage({ name, seed } satisfies DatasetRequest);
  }).finally(() => worker.terminate());
}

/** Drops a cached set, after an imported CSV set of that name was replaced. */
export function forgetRunDataset(name: DatasetName): void {
  for (const key of [...cache.keys()]) if (key === name || key.startsWith(`${name}:`)) cache.delete(key);
}

export type TrainingSet =
  | { state: 'loading' }
  | { state: 'ready'; dataset: Dataset }
  | { state: 'error'; message: string };

export function useTrainingSet(name: DatasetName, seed: number): TrainingSet {
  const key = cacheKey(name, seed);
  const [loaded, setLoaded] = useState<{ key: string; set: TrainingSet } | null>(null);
  useEffect(() => {
    let current = true;
    loadRunDataset(name, seed).then(
      (dataset) => current && setLoaded({ key: cacheKey(name, seed), set: { state: 'ready', dataset } }),
      (e: unknown) => current && setLoaded({
        key: cacheKey(name, seed), set: { state: 'error', message: e instanceof Error ? e.message : String(e) },
      }),
    );
    return () => { current = false; };
  }, [name, seed]);
  return loaded?.key === key ? loaded.set : { state: 'loading' };
}
