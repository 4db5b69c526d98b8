// Your own data in the page: a CSV parsed in a worker, kept in this browser (IndexedDB for the data,
// localStorage for the list of sets and their shapes, read at start-up) and chosen as the run's data set.
// A share link names the set (dataset=csv:<name>); the data itself never leaves this computer. The CSV
// code (Papa Parse) lives in the worker alone, loaded when a file is picked.
import { applyOverrides, DEFAULT_CONFIG } from '../../core/config';
import type { CsvOptions } from '../../core/csv';
import { csvAssetFile, forgetLocalDataset, registerLocalDataset, type DatasetShape } from '../../core/datasets';
import { transact } from '../../parallel/idb';
import { reset } from '../run/run-controller';
import { useLab } from '../store';
import { forgetRunDataset } from './training-set';

export interface CsvRequest {
  file: File;
  labelColumn?: CsvOptions['labelColumn'];
  decimal?: CsvOptions['decimal'];
}

export type CsvResponse =
  | { type: 'done'; name: `csv:${string}`; bytes: Uint8Array; inputs: number; classes: number; train: number; test: number }
  | { type: 'error'; message: string };

interface LocalSet extends DatasetShape {
  file: string;
  train: number;
  test: number;
}

const LIST_KEY = 'webgpu-training-lab-csv-sets';

function readList(): Record<string, LocalSet> {
  try {
    return JSON.parse(localStorage.getItem(LIST_KEY) ?? '{}') as Record<string, LocalSet>;
  } catch {
    return {};
  }
}

// The sets imported earlier are known before the page reads its link, so a link naming one opens.
for (const [name, set] of Object.entries(readList())) registerLocalDataset(name as `csv:${string}`, set);

/** An imported set's description for the page, or undefined for a built-in one. */
export function localSet(name: string): LocalSet | undefined {
  return readList()[name];
}

function parseInWorker(request: CsvRequest): Promise<Extract<CsvResponse, { type: 'done' }>> {
  const worker = new Worker(new URL('./csv-worker.ts', import.meta.url), { type: 'module' });
  return new Promise((resolve, reject) => {
    worker.onmessage = (e: MessageEvent<CsvResponse>) => {
      worker.terminate();
      if (e.data.type === 'done') resolve(e.data);
      else reject(new Error(e.data.message));
    };
    worker.onerror = (e) => {
      worker.terminate();
      reject(new Error(`${request.file.name}: ${e.message}`));
    };
    worker.postMessage(request);
  });
}

/** Imports the file as csv:<file name> (replacing a set of that name) and makes it the form's data set. */
export async function importCsv(
  file: File, labelColumn?: string, decimal?: CsvOptions['decimal'],
): Promise<LocalSet & { name: `csv:${string}` }> {
  const label = labelColumn?.trim() ? (/^\d+$/.test(labelColumn.trim()) ? Number(labelColumn.trim()) : labelColumn.trim()) : undefined;
  const parsed = await parseInWorker({ file, labelColumn: label, decimal });
  const { name } = parsed;
  await transact('datasets', 'readwrite', (s) => s.put(parsed.bytes, csvAssetFile(name)));
  const set: LocalSet = { file: file.name, inputs: parsed.inputs, classes: parsed.classes, train: parsed.train, test: parsed.test };
  localStorage.setItem(LIST_KEY, JSON.stringify({ ...readList(), [name]: set }));
  registerLocalDataset(name, set);
  forgetRunDataset(name);
  const { config, setConfig } = useLab.getState();
  setConfig(applyOverrides(config, [['dataset', name]]));
  return { name, ...set };
}

/**
 * Removes an imported set from this browser, and the run shown if it trained on it; the form goes back
 * to the default data set.
 */
export async function forgetCsv(name: `csv:${string}`): Promise<void> {
  await transact('datasets', 'readwrite', (s) => s.delete(csvAssetFile(name)));
  if (useLab.getState().runConfig?.dataset === name) reset();
  const { [name]: _gone, ...rest } = readList();
  localStorage.setItem(LIST_KEY, JSON.stringify(rest));
  forgetRunDataset(name);
  const { config, setConfig } = useLab.getState();
  if (config.dataset === name) setConfig(applyOverrides(config, [['dataset', DEFAULT_CONFIG.dataset]]));
  forgetLocalDataset(name);
}
