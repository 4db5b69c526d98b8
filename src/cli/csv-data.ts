// --data FILE.csv: the user's CSV read and checked in the CLI, kept (in the lab's data-file format) where
// the replica threads read it, and the one reader of data files for the CLI and its threads.
import { mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CSV_MAX_BYTES, CsvError, CsvReader, csvDataset, csvDatasetName, type CsvOptions } from '../core/csv';
import { encodeDataFile } from '../core/data-file';
import { classNamesNote, csvAssetFile, registerLocalDataset, type Dataset } from '../core/datasets';
import { DATA_DIR } from './prepare-data';

/** Outside public/ so a site build never ships a user's data; one folder per process (threads share it). */
const CSV_DIR = join(tmpdir(), `webgpu-training-lab-csv-${process.pid}`);

/** Reads a data file: an imported CSV set's from CSV_DIR, the rest from public/data. */
export async function readDataAsset(file: string): Promise<Uint8Array> {
  return new Uint8Array(await readFile(file.startsWith('csv/') ? join(CSV_DIR, file.slice(4)) : join(DATA_DIR, file)));
}

/** Reads the CSV, registers it as csv:<file name>; throws a message naming the file, line and column. */
export function loadCsvFile(path: string, { labelColumn, decimal }: { labelColumn?: string; decimal?: CsvOptions['decimal'] } = {}): Dataset {
  let size: number;
  try {
    size = statSync(path).size;
  } catch {
    throw new Error(`--data: cannot read ${path}`);
  }
  if (size > CSV_MAX_BYTES) throw new Error(`--data: ${path} is ${(size / 2 ** 20).toFixed(1)} MB; at most ${CSV_MAX_BYTES / 2 ** 20} MB`);
  const reader = new CsvReader({ labelColumn: labelColumn === undefined ? undefined : /^\d+$/.test(labelColumn) ? Number(labelColumn) : labelColumn, decimal });
  try {
    reader.push(readFileSync(path, 'utf8'));
    const name = `csv:${csvDatasetName(path)}` as const;
    const dataset = csvDataset(name, reader.end());
    registerLocalDataset(name, dataset);
    return dataset;
  } catch (e) {
    if (e instanceof CsvError) throw new Error(`--data ${path}: ${e.message}`);
    throw e;
  }
}

/** What the CLI says of the CSV set it trains on: its size, and how named classes became ids. */
export function csvSummary(dataset: Dataset): string {
  const { train, test, inputs, classes, classNames } = dataset;
  return `${dataset.name}: ${train.n} training and ${test.n} test rows, ${inputs} features, ${classes} classes${classNames ? `; ${classNamesNote(classNames)}` : ''}`;
}

/** Writes the set where readDataAsset finds it, for this process; removed when it exits. */
export function keepCsvDataset(dataset: Dataset): void {
  mkdirSync(CSV_DIR, { recursive: true });
  writeFileSync(join(CSV_DIR, csvAssetFile(dataset.name as `csv:${string}`).slice(4)), encodeDataFile(dataset));
  process.once('exit', () => rmSync(CSV_DIR, { recursive: true, force: true }));
}
