// CLI checkpoints: the run's config and step in checkpoint.json, weights and optimizer state in
// state.bin (float32 little-endian: params, m, v). Written atomically, so a crash never leaves half a file.
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { applyOverrides, type RunConfig } from '../core/config';
import type { TrainingState } from '../gpu/train-run';

const FORMAT = 'webgpu-training-lab-checkpoint';

interface CheckpointHeader {
  format: typeof FORMAT;
  version: 1;
  config: RunConfig;
  step: number;
  floats: number;
}

async function writeAtomic(path: string, data: string | Uint8Array): Promise<void> {
  await writeFile(`${path}.tmp`, data);
  await rename(`${path}.tmp`, path);
}

export async function saveCheckpoint(dir: string, config: RunConfig, state: TrainingState): Promise<void> {
  await mkdir(dir, { recursive: true });
  const P = state.params.length;
  const bytes = new Uint8Array(3 * P * 4);
  const view = new DataView(bytes.buffer);
  [state.params, state.m, state.v].forEach((vector, k) => vector.forEach((x, i) => view.setFloat32((k * P + i) * 4, x, true)));
  const header: CheckpointHeader = { format: FORMAT, version: 1, config, step: state.step, floats: P };
  // The state first, then the header that points at it: a reader never sees a header without its state.
  await writeAtomic(join(dir, 'state.bin'), bytes);
  await writeAtomic(join(dir, 'checkpoint.json'), JSON.stringify(header, null, 2));
}

export async function loadCheckpoint(dir: string): Promise<{ config: RunConfig; state: TrainingState }> {
  let header: CheckpointHeader;
  try {
    header = JSON.parse(await readFile(join(dir, 'checkpoint.json'), 'utf8')) as CheckpointHeader;
  } catch (e) {
    throw new Error(`no readable checkpoint in ${dir}: ${e instanceof Error ? e.message : String(e)}`);
  }
  if (header.format !== FORMAT || header.version !== 1) throw new Error(`${dir}/checkpoint.json is not a checkpoint of this lab (version 1)`);
  // Validate the saved config like any other input.
  const config = applyOverrides(header.config, []);
  const bytes = await readFile(join(dir, 'state.bin'));
  const P = header.floats;
  if (bytes.length !== 3 * P * 4) throw new Error(`${dir}/state.bin has ${bytes.length} bytes, expected ${3 * P * 4}`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const vector = (k: number) => Float32Array.from({ length: P }, (_, i) => view.getFloat32((k * P + i) * 4, true));
  return { config, state: { step: header.step, params: vector(0), m: vector(1), v: vector(2) } };
}
