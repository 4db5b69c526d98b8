// SHA-256 of the parameters as little-endian float32 in layer order: the run's fingerprint.
import { packParams, type ModelLayout } from './model';

export async function sha256Hex(bytes: Uint8Array): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', bytes as Uint8Array<ArrayBuffer>);
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('');
}

export async function weightsSha256(layout: ModelLayout, flat: Float32Array): Promise<string> {
  const packed = packParams(layout, flat);
  const bytes = new Uint8Array(packed.length * 4);
  const view = new DataView(bytes.buffer);
  packed.forEach((v, i) => view.setFloat32(i * 4, v, true));
  return sha256Hex(bytes);
}

/** A fast 32-bit FNV-1a fingerprint of a float32 vector's bits: replicas compare it after each sync. */
export function paramsFingerprint(values: Float32Array): string {
  const words = new Uint32Array(values.buffer, values.byteOffset, values.length);
  let h = 0x811c9dc5;
  for (let i = 0; i < words.length; i++) {
    const w = words[i];
    h = Math.imul(h ^ (w & 0xff), 0x01000193);
    h = Math.imul(h ^ ((w >>> 8) & 0xff), 0x01000193);
    h = Math.imul(h ^ ((w >>> 16) & 0xff), 0x01000193);
    h = Math.imul(h ^ (w >>> 24), 0x01000193);
  }
  return (h >>> 0).toString(16).padStart(8, '0');
}
