// CLI checkpoints: one file, checkpoint.bin, holding a JSON header (format, config, step) and then the
// weights and optimizer state as float32 little-endian (params, m, v). It is written to a temporary
// file and renamed, so a crash leaves either the previous checkpoint or the new one, never a mix.
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { applyOverrides, type RunConfig } from '../core/config';
import type { TrainingState } from '../gpu/train-run';

const FORMAT = 'webgpu-training-lab-checkpoint';
export const CHECKPOINT_FILE = 'checkpoint.bin';

interface CheckpointHeader {
  format: typeof FORMAT;
  version: 1;
  config: RunConfig;
  step: number;
  floats: number;
}

export async function saveCheckpoint(dir: string, config: RunConfig, state: TrainingState): Promise<void> {
  await mkdir(dir, { recursive: true });
  const P = state.params.length;
  const header: CheckpointHeader = { format: FORMAT, version: 1, config, step: state.step, floats: P };
  const headerBytes = new TextEncoder().encode(JSON.stringify(header));
  const bytes = new Uint8Array(4 + headerBytes.length + 3 * P * 4);
  const view = new DataView(bytes.buffer);
  view.setUint32(0, headerBytes.length, true);
  bytes.set(headerBytes, 4);
  const base = 4 + headerBytes.length;
  [state.params, state.m, state.v].forEach((vector, k) => vector.forEach((x, i) => view.setFloat32(base + (k * P + i) * 4, x, true)));
  await writeFile(join(dir, `${CHECKPOINT_FILE}.tmp`), bytes);
  await rename(join(dir, `${CHECKPOINT_FILE}.tmp`), join(dir, CHECKPOINT_FILE));
}

export async function loadCheckpoint(dir: string): Promise<{ config: RunConfig; state: TrainingState }> {
  let bytes: Buffer;
  try {
    bytes = await readFile(join(dir, CHECKPOINT_FILE));
  } catch (e) {
    throw new Error(`no readable checkpoint in ${dir}: ${e instanceof Error ? e.message : String(e)}`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLength = bytes.length >= 4 ? view.getUint32(0, true) : 0;
  let header: CheckpointHeader;
  try {
    header = JSON.parse(new TextDecoder().decode(bytes.subarray(4, 4 + headerLength))) as CheckpointHeader;
  } catch {
    throw new Error(`${dir}/${CHECKPOINT_FILE} is not a checkpoint of this lab`);
  }
  if (header.format !== FORMAT || header.version !== 1) throw new Error(`${dir}/${CHECKPOINT_FILE} is not a checkpoint of this lab (version 1)`);
  // The saved config is input like any other: validate it.
  const config = applyOverrides(header.config, []);
  const P = header.floats;
  const base = 4 + headerLength;
  if (bytes.length !== base + 3 * P * 4) throw new Error(`${dir}/${CHECKPOINT_FILE} is truncated: ${bytes.length} bytes, expected ${base + 3 * P * 4}`);
  const vector = (k: number) => Float32Array.from({ length: P }, (_, i) => view.getFloat32(base + (k * P + i) * 4, true));
  return { config, state: { step: header.step, params: vector(0), m: vector(1), v: vector(2) } };
}
