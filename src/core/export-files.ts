// What an export is made of: named files of bytes, written by the CLI into a folder or by the page into
// one ZIP (export-zip.ts), plus the little-endian float32 encoding every weight file uses.

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
