// Test helpers for the exports: write one to a temporary folder, load a TensorFlow.js export the way a
// tfjs user would, and compare two sets of class probabilities.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import type { ExportFile } from './export-files';
import { TFJS_MODEL_FILE } from './export-tfjs';

/** Loads model.json from `dir` (with its user-defined metadata), then the weight files its manifest names. */
export async function loadTfjsFolder(dir: string): Promise<tf.LayersModel> {
  const modelJson = JSON.parse(readFileSync(join(dir, TFJS_MODEL_FILE), 'utf8'));
  const group = modelJson.weightsManifest[0];
  const weightData = Buffer.concat(group.paths.map((p: string) => readFileSync(join(dir, p))));
  return tf.loadLayersModel(tf.io.fromMemory({
    modelTopology: modelJson.modelTopology,
    weightSpecs: group.weights,
    weightData: weightData.buffer.slice(weightData.byteOffset, weightData.byteOffset + weightData.length),
    userDefinedMetadata: modelJson.userDefinedMetadata,
  }));
}

/** The files in a new temporary folder. */
export function writeFolder(files: ExportFile[]): string {
  const dir = mkdtempSync(join(tmpdir(), 'lab-export-'));
  for (const f of files) writeFileSync(join(dir, f.path), f.bytes);
  return dir;
}

/** Largest |a − b| and whether the arg-max of every row agrees. */
export function comparePredictions(a: ArrayLike<number>, b: ArrayLike<number>, classes: number) {
  let maxAbs = 0;
  let sameArgmax = true;
  const argmax = (v: ArrayLike<number>, r: number) => {
    let best = 0;
    for (let c = 1; c < classes; c++) if (v[r * classes + c] > v[r * classes + best]) best = c;
    return best;
  };
  for (let i = 0; i < a.length; i++) maxAbs = Math.max(maxAbs, Math.abs(a[i] - b[i]));
  for (let r = 0; r < a.length / classes; r++) sameArgmax &&= argmax(a, r) === argmax(b, r);
  return { maxAbs, sameArgmax };
}
