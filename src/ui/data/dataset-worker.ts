// Web Worker that loads and decodes a run's data set for the page's views, off the main thread (MNIST:
// 7 MB of pixels to 28 MB of floats), and hands the arrays over without copying them.
/// <reference lib="webworker" />
import type { DatasetName } from '../../core/config';
import { loadDataset, type Dataset } from '../../core/datasets';
import { fetchAsset } from '../../parallel/fetch-asset';

export interface DatasetRequest {
  name: DatasetName;
  seed: number;
}

export type DatasetResponse = { dataset: Dataset } | { error: string };

self.onmessage = async (e: MessageEvent<DatasetRequest>) => {
  try {
    const dataset = await loadDataset(e.data.name, e.data.seed, fetchAsset);
    const arrays = [dataset.train.x, dataset.train.y, dataset.test.x, dataset.test.y];
    self.postMessage({ dataset } satisfies DatasetResponse, [...new Set(arrays.map((a) => a.buffer as ArrayBuffer))]);
  } catch (err) {
    self.postMessage({ error: err instanceof Error ? err.message : String(err) } satisfies DatasetResponse);
  }
};
