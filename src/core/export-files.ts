// What an export is made of: named files of bytes, written by the CLI into a folder or by the page into
// one ZIP (stored, uncompressed), plus the little-endian float32 encoding every weight file uses.

export interface ExportFile {
  /** Path inside the export folder, '/'-separated. */
  path: string;
  bytes: Uint8Array;
}

/** An export or import that cannot be done, with a message for the user. */
export class ExportError extends Error {}

export function float32Bytes(values: ArrayLike<number>): Uint8Array {
  const bytes = new Uint8Array(values.length * 4);
  const view = new DataView(bytes.buffer);
  for (let i = 0; i < values.length; i++) view.setFloat32(i * 4, values[i], true);
  return bytes;
}

export function float32Values(bytes: Uint8Array): Float32Array {
  if (bytes.length % 4 !== 0) throw new ExportError(`a float32 file must have a multiple of 4 bytes, got ${bytes.length}`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.length);
  return Float32Array.from({ length: bytes.length / 4 }, (_, i) => view.getFloat32(i * 4, true));
}

/** A binary file: 8 magic characters, uint32 header fields, then the body's parts. */
export function withHeader(magic: string, fields: number[], body: Uint8Array[]): Uint8Array {
  const size = 8 + 4 * fields.length + body.reduce((s, b) => s + b.length, 0);
  const out = new Uint8Array(size);
  out.set(new TextEncoder().encode(magic), 0);
  const view = new DataView(out.buffer);
  fields.forEach((f, i) => view.setUint32(8 + 4 * i, f, true));
  let at = 8 + 4 * fields.length;
  for (const b of body) {
    out.set(b, at);
    at += b.length;
  }
  return out;
}

const CRC_TABLE = Uint32Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (let i = 0; i < bytes.length; i++) c = CRC_TABLE[(c ^ bytes[i]) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/** A ZIP archive of the files, stored without compression (every unzip tool and OS reads it). */
export function zipFiles(files: readonly ExportFile[]): Uint8Array {
  const encoder = new TextEncoder();
  const locals: Uint8Array[] = [];
  const centrals: Uint8Array[] = [];
  let offset = 0;
  for (const f of files) {
    const name = encoder.encode(f.path);
    const crc = crc32(f.bytes);
    const local = new Uint8Array(30 + name.length);
    const lv = new DataView(local.buffer);
    lv.setUint32(0, 0x04034b50, true);
    lv.setUint16(4, 20, true); // version needed: 2.0
    lv.setUint16(8, 0, true); // method: stored
    lv.setUint16(12, 0x21, true); // date: 1980-01-01, so the bytes depend on the files only
    lv.setUint32(14, crc, true);
    lv.setUint32(18, f.bytes.length, true);
    lv.setUint32(22, f.bytes.length, true);
    lv.setUint16(26, name.length, true);
    local.set(name, 30);
    const central = new Uint8Array(46 + name.length);
    const cv = new DataView(central.buffer);
    cv.setUint32(0, 0x02014b50, true);
    cv.setUint16(4, 20, true);
    cv.setUint16(6, 20, true);
    cv.setUint16(14, 0x21, true);
    cv.setUint32(16, crc, true);
    cv.setUint32(20, f.bytes.length, true);
    cv.setUint32(24, f.bytes.length, true);
    cv.setUint16(28, name.length, true);
    cv.setUint32(42, offset, true);
    central.set(name, 46);
    locals.push(local, f.bytes);
    centrals.push(central);
    offset += local.length + f.bytes.length;
  }
  const centralSize = centrals.reduce((s, c) => s + c.length, 0);
  const end = new Uint8Array(22);
  const ev = new DataView(end.buffer);
  ev.setUint32(0, 0x06054b50, true);
  ev.setUint16(8, files.length, true);
  ev.setUint16(10, files.length, true);
  ev.setUint32(12, centralSize, true);
  ev.setUint32(16, offset, true);
  const out = new Uint8Array(offset + centralSize + end.length);
  let at = 0;
  for (const part of [...locals, ...centrals, end]) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

/** The files of a stored (uncompressed) ZIP such as zipFiles writes; refuses compressed entries. */
export function unzipFiles(zip: Uint8Array): ExportFile[] {
  const view = new DataView(zip.buffer, zip.byteOffset, zip.length);
  const decoder = new TextDecoder();
  const files: ExportFile[] = [];
  let at = 0;
  while (at + 30 <= zip.length && view.getUint32(at, true) === 0x04034b50) {
    const method = view.getUint16(at + 8, true);
    const size = view.getUint32(at + 18, true);
    const nameLength = view.getUint16(at + 26, true);
    const extraLength = view.getUint16(at + 28, true);
    const path = decoder.decode(zip.subarray(at + 30, at + 30 + nameLength));
    if (method !== 0) throw new ExportError(`${path}: compressed ZIP entries are not read here; unzip the archive and pick its files`);
    const start = at + 30 + nameLength + extraLength;
    files.push({ path, bytes: zip.subarray(start, start + size) });
    at = start + size;
  }
  if (files.length === 0) throw new ExportError('not a ZIP archive written by the lab');
  return files;
}
