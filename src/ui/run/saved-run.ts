// The run in progress, saved in IndexedDB (config, weights and optimizer state, metrics so far) every
// few steps and at pause, so a reload or a crashed tab can resume it exactly.
import type { RunConfig } from '../../core/config';
import type { MetricRecord } from '../../core/metrics';
import { transact } from '../../parallel/idb';
import type { TrainingState } from '../../parallel/page-session';

export interface SavedRun {
  config: RunConfig;
  state: TrainingState;
  /** The metric records up to the saved step. */
  records: MetricRecord[];
  savedAt: number;
}

const KEY = 'current';

export async function saveRun(run: SavedRun): Promise<void> {
  await transact('runs', 'readwrite', (store) => store.put(run, KEY));
}

export async function loadSavedRun(): Promise<SavedRun | null> {
  return (await transact<SavedRun | undefined>('runs', 'readonly', (store) => store.get(KEY))) ?? null;
}

export async function clearSavedRun(): Promise<void> {
  await transact('runs', 'readwrite', (store) => store.delete(KEY));
}
