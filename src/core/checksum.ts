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
