// One binary format for a whole data set, train and test: the DDP export's data.bin, and how the page
// and the CLI keep an imported CSV set for their workers. Little-endian; see the export's README.
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

export function encodeDataFile(dataset: Dataset): Uint8Array {
  const encoding = dataset.name === 'mnist' ? X_ENCODING.u8 : X_ENCODING.f32;
  const { train, test } = dataset;
  return withHeader(DATA_MAGIC, [1, train.n, test.n, dataset.inputs, dataset.classes, encoding],
    [xBytes(train, encoding), train.y, xBytes(test, encoding), test.y]);
}

export function decodeDataFile(name: Dataset['name'], bytes: Uint8Array): Dataset {
  if (new TextDecoder().decode(bytes.subarray(0, 8)) !== DATA_MAGIC) throw new ExportError(`${name}: not a data file of the lab`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.length);
  const [, trainN, testN, inputs, classes, encoding] = Array.from({ length: HEADER_FIELDS }, (_, i) => view.getUint32(8 + 4 * i, true));
  let at = 8 + 4 * HEADER_FIELDS;
  const take = (n: number) => bytes.subarray(at, (at += n));
  const split = (n: number): Split => {
    const x = encoding === X_ENCODING.u8 ? Float32Array.from(take(n * inputs), (b) => b / 255) : float32Values(take(n * inputs * 4));
    return { x, y: take(n).slice(), n };
  };
  const train = split(trainN);
  const test = split(testN);
  if (at !== bytes.length) throw new ExportError(`${name}: the data file has ${bytes.length} bytes, its header describes ${at}`);
  return { name, inputs, classes, train, test };
}
