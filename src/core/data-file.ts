// One binary format for a whole data set, train and test: the DDP export's data.bin, and how the page
// and the CLI keep an imported CSV set for their workers, with its class names where the labels were
// names. Little-endian; see the export's README.
import type { Dataset, Split } from './datasets';
import { ExportError, float32Bytes, float32Values, withHeader } from './export-files';

export const DATA_MAGIC = 'WGTLDATA';
/** The DDP export's per-rank sample order file (export-ddp.ts). */
export const ORDER_MAGIC = 'WGTLORDR';
/** x encodings: float32 as is, or uint8 pixels divided by 255 when read (MNIST). */
export const X_ENCODING = { f32: 0, u8: 1 } as const;
const HEADER_FIELDS = 6;

/** MNIST pixels were bytes / 255: store the bytes (4× smaller); decoding divides exactly as the lab does. */
function xBytes(split: Split, encoding: number): Uint8Array {
  return encoding === X_ENCODING.u8 ? Uint8Array.from(split.x, (v) => Math.round(v * 255)) : float32Bytes(split.x);
}

/** Version 2 adds the class names after the test labels: uint32 byte length, then a UTF-8 JSON array. */
const NAMED_VERSION = 2;

export function encodeDataFile(dataset: Dataset): Uint8Array {
  const encoding = dataset.name === 'mnist' ? X_ENCODING.u8 : X_ENCODING.f32;
  const { train, test, classNames } = dataset;
  const body = [xBytes(train, encoding), train.y, xBytes(test, encoding), test.y];
  if (!classNames) return withHeader(DATA_MAGIC, [1, train.n, test.n, dataset.inputs, dataset.classes, encoding], body);
  const names = new TextEncoder().encode(JSON.stringify(classNames));
  const length = new Uint8Array(4);
  new DataView(length.buffer).setUint32(0, names.length, true);
  return withHeader(DATA_MAGIC, [NAMED_VERSION, train.n, test.n, dataset.inputs, dataset.classes, encoding], [...body, length, names]);
}

export function decodeDataFile(name: Dataset['name'], bytes: Uint8Array): Dataset {
  if (new TextDecoder().decode(bytes.subarray(0, 8)) !== DATA_MAGIC) throw new ExportError(`${name}: not a data file of the lab`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.length);
  const [version, trainN, testN, inputs, classes, encoding] = Array.from({ length: HEADER_FIELDS }, (_, i) => view.getUint32(8 + 4 * i, true));
  if (version !== 1 && version !== NAMED_VERSION) throw new ExportError(`${name}: a data file of version ${version}; this lab reads versions 1 and ${NAMED_VERSION}`);
  let at = 8 + 4 * HEADER_FIELDS;
  const take = (n: number) => bytes.subarray(at, (at += n));
  const split = (n: number): Split => {
    const x = encoding === X_ENCODING.u8 ? Float32Array.from(take(n * inputs), (b) => b / 255) : float32Values(take(n * inputs * 4));
    return { x, y: take(n).slice(), n };
  };
  const train = split(trainN);
  const test = split(testN);
  let classNames: string[] | null = null;
  if (version === NAMED_VERSION) {
    const length = at + 4 <= bytes.length ? view.getUint32(at, true) : 0;
    classNames = namesOf(name, bytes.subarray(at + 4, (at += 4 + length)));
  }
  if (at !== bytes.length) throw new ExportError(`${name}: the data file has ${bytes.length} bytes, its header describes ${at}`);
  if (classNames && classNames.length !== classes) throw new ExportError(`${name}: the data file names ${classNames.length} classes, its header says ${classes}`);
  return { name, inputs, classes, train, test, ...(classNames ? { classNames } : {}) };
}

function namesOf(name: string, json: Uint8Array): string[] {
  try {
    const names: unknown = JSON.parse(new TextDecoder().decode(json));
    if (Array.isArray(names) && names.every((n) => typeof n === 'string')) return names as string[];
  } catch { /* reported below */ }
  throw new ExportError(`${name}: the data file's class names are not a list of names`);
}
