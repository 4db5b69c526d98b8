// Data sets: MNIST from the generated binary, four seeded 2-D generators for instant demos, and CSV
// sets the user imported on this computer (csv:<name>). Inputs are float32 rows [N, D]; labels class ids [N].
import type { DatasetName } from './config';
import { decodeDataFile } from './data-file';
import { createRng, Stream, type Rng } from './rng';

export interface Split {
  /** [n, inputs] row-major. */
  x: Float32Array;
  /** [n] class ids. */
  y: Uint8Array;
  n: number;
}

export interface Dataset {
  name: DatasetName;
  inputs: number;
  classes: number;
  train: Split;
  test: Split;
  /**
   * The classes' names where the labels were names (a CSV set): class c is classNames[c], ids given in order
   * of first appearance. Kept in the data file with the set; every view and export reads them from here.
   */
  classNames?: readonly string[];
}

/** What the page calls each class of a set: its name, or else its id. */
export const classLabels = (dataset: Pick<Dataset, 'classes' | 'classNames'>): string[] =>
  Array.from({ length: dataset.classes }, (_, c) => dataset.classNames?.[c] ?? String(c));

/** How a set's named classes became ids, in the same words in the page and the CLI. */
export function classNamesNote(names: readonly string[]): string {
  const SHOWN = 12;
  const list = names.slice(0, SHOWN).map((n, c) => `${c} ${JSON.stringify(n)}`).join(', ');
  return `the labels are names: class ids in order of first appearance (${list}${names.length > SHOWN ? `, … ${names.length - 1} ${JSON.stringify(names.at(-1))}` : ''})`;
}

export const MNIST_PIXELS = 784;
/** One record of the MNIST binary: 784 uint8 pixels then the uint8 label. */
export const MNIST_RECORD_BYTES = MNIST_PIXELS + 1;

/** Decodes the compact MNIST binary written by the data script. Pixels scale to [0, 1]. */
export function decodeMnist(bytes: Uint8Array): Split {
  if (bytes.length % MNIST_RECORD_BYTES !== 0) {
    throw new Error(`MNIST file has ${bytes.length} bytes, not a multiple of ${MNIST_RECORD_BYTES}`);
  }
  const n = bytes.length / MNIST_RECORD_BYTES;
  const x = new Float32Array(n * MNIST_PIXELS);
  const y = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const base = i * MNIST_RECORD_BYTES;
    for (let j = 0; j < MNIST_PIXELS; j++) x[i * MNIST_PIXELS + j] = bytes[base + j] / 255;
    y[i] = bytes[base + MNIST_PIXELS];
  }
  return { x, y, n };
}

/** The labels of the compact MNIST binary, without decoding its pixels. */
export function mnistLabels(bytes: Uint8Array): Pick<Split, 'y' | 'n'> {
  if (bytes.length % MNIST_RECORD_BYTES !== 0) {
    throw new Error(`MNIST file has ${bytes.length} bytes, not a multiple of ${MNIST_RECORD_BYTES}`);
  }
  const n = bytes.length / MNIST_RECORD_BYTES;
  return { y: Uint8Array.from({ length: n }, (_, i) => bytes[i * MNIST_RECORD_BYTES + MNIST_PIXELS]), n };
}

export function mnistDataset(train: Uint8Array, test: Uint8Array): Dataset {
  return { name: 'mnist', inputs: MNIST_PIXELS, classes: 10, train: decodeMnist(train), test: decodeMnist(test) };
}

const TWO_D_TRAIN = 800;
const TWO_D_TEST = 200;

type PointMaker = (rng: Rng, label: number) => [number, number];

type TwoDName = 'spiral' | 'circles' | 'xor' | 'gauss';

const TWO_D: Record<TwoDName, { classes: number; point: PointMaker }> = {
  // Three arms winding out from the centre.
  spiral: {
    classes: 3,
    point: (rng, label) => {
      const r = rng.float();
      const angle = (label * 2 * Math.PI) / 3 + r * 3.5 + rng.normal() * 0.15;
      return [r * Math.cos(angle), r * Math.sin(angle)];
    },
  },
  // A disc of class 0 inside a ring of class 1.
  circles: {
    classes: 2,
    point: (rng, label) => {
      const r = label === 0 ? rng.float() * 0.45 : 0.65 + rng.float() * 0.35;
      const a = rng.float() * 2 * Math.PI;
      return [r * Math.cos(a) + rng.normal() * 0.04, r * Math.sin(a) + rng.normal() * 0.04];
    },
  },
  // Opposite quadrants share a label.
  xor: {
    classes: 2,
    point: (rng, label) => {
      const sx = rng.float() < 0.5 ? -1 : 1;
      const sy = label === 0 ? sx : -sx;
      return [sx * (0.05 + rng.float() * 0.95), sy * (0.05 + rng.float() * 0.95)];
    },
  },
  // Two Gaussian blobs that overlap a little.
  gauss: {
    classes: 2,
    point: (rng, label) => {
      const c = label === 0 ? -0.4 : 0.4;
      return [c + rng.normal() * 0.25, c + rng.normal() * 0.25];
    },
  },
};

export interface DatasetShape {
  inputs: number;
  classes: number;
}

/** Imported CSV sets known here: name → shape (their data is read with loadDataset like any other). */
const LOCAL_SETS = new Map<string, DatasetShape>();

export const isCsvDataset = (name: string): name is `csv:${string}` => /^csv:[A-Za-z0-9_-]{1,40}$/.test(name);

export function registerLocalDataset(name: `csv:${string}`, shape: DatasetShape): void {
  LOCAL_SETS.set(name, { inputs: shape.inputs, classes: shape.classes });
}

export function forgetLocalDataset(name: `csv:${string}`): void {
  LOCAL_SETS.delete(name);
}

export function localDatasetNames(): `csv:${string}`[] {
  return [...LOCAL_SETS.keys()] as `csv:${string}`[];
}

export function missingCsvMessage(name: `csv:${string}`): string {
  const file = `${name.slice(4)}.csv`;
  return `${name} is a CSV data set that was not imported here: a link names it, but its data stays on the computer `
    + `that imported it. Import ${file} (the page's Import, or the CLI's --data ${file}) and open the link again`;
}

/** Inputs and classes of a data set, known without loading or generating it. */
export function datasetShape(name: DatasetName): DatasetShape {
  if (name === 'mnist') return { inputs: MNIST_PIXELS, classes: 10 };
  if (isCsvDataset(name)) {
    const shape = LOCAL_SETS.get(name);
    if (!shape) throw new Error(missingCsvMessage(name));
    return shape;
  }
  return { inputs: 2, classes: TWO_D[name as TwoDName].classes };
}

/** The file an imported CSV set is kept in, read through the same `readAsset` as MNIST's. */
export const csvAssetFile = (name: `csv:${string}`) => `csv/${name.slice(4)}.bin`;

function twoDSplit(name: TwoDName, rng: Rng, n: number): Split {
  const spec = TWO_D[name];
  const x = new Float32Array(n * 2);
  const y = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const label = i % spec.classes;
    const [px, py] = spec.point(rng, label);
    x[2 * i] = px;
    x[2 * i + 1] = py;
    y[i] = label;
  }
  return { x, y, n };
}

/** A 2-D data set, fully determined by its name and the run seed. */
export function twoDDataset(name: TwoDName, seed: number): Dataset {
  return {
    name,
    inputs: 2,
    classes: TWO_D[name].classes,
    train: twoDSplit(name, createRng(seed, Stream.data), TWO_D_TRAIN),
    test: twoDSplit(name, createRng(seed, Stream.dataTest), TWO_D_TEST),
  };
}

export const MNIST_FILES = { train: 'mnist-train.bin', test: 'mnist-test.bin' } as const;

/** Loads a run's data set; `readAsset` fetches a generated file from the served data folder. */
export async function loadDataset(
  name: DatasetName, seed: number, readAsset: (file: string) => Promise<Uint8Array>,
): Promise<Dataset> {
  if (isCsvDataset(name)) return decodeDataFile(name, await readAsset(csvAssetFile(name)));
  if (name !== 'mnist') return twoDDataset(name, seed);
  const [train, test] = await Promise.all([readAsset(MNIST_FILES.train), readAsset(MNIST_FILES.test)]);
  return mnistDataset(train, test);
}

/** What planning a run needs of its data set: sizes and labels (a Dataset is one). */
export interface DatasetLabels {
  name: DatasetName;
  inputs: number;
  classes: number;
  train: Pick<Split, 'y' | 'n'>;
  test: Pick<Split, 'y' | 'n'>;
}

/** A run's sizes and labels; MNIST's pixels are not decoded (the replicas decode their own copy). */
export async function loadLabels(
  name: DatasetName, seed: number, readAsset: (file: string) => Promise<Uint8Array>,
): Promise<DatasetLabels> {
  if (name !== 'mnist') return loadDataset(name, seed, readAsset);
  const [train, test] = await Promise.all([readAsset(MNIST_FILES.train), readAsset(MNIST_FILES.test)]);
  return { name, inputs: MNIST_PIXELS, classes: 10, train: mnistLabels(train), test: mnistLabels(test) };
}
