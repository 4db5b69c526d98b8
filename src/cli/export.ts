// The CLI's exports and imports: export folders written to disk (--export, --export-ddp) and the
// weights of a TensorFlow.js export read back as a run's starting point (--init-weights).
import { existsSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { RunConfig } from '../core/config';
import type { Dataset } from '../core/datasets';
import type { ExportFile } from '../core/export-files';
import { TFJS_MODEL_FILE, tfjsImport } from '../core/export-tfjs';
import { layerSizes, modelLayout } from '../core/model';
import type { TrainingState } from '../gpu/train-run';

/** Writes the files into `dir` (created if needed); returns the bytes written. */
export function writeExport(dir: string, files: readonly ExportFile[]): number {
  mkdirSync(dir, { recursive: true });
  for (const f of files) writeFileSync(join(dir, f.path), f.bytes);
  return files.reduce((s, f) => s + f.bytes.length, 0);
}

/** A run that starts from exported weights: step 0, fresh optimizer state. */
export async function importedStart(path: string, config: RunConfig, dataset: Dataset): Promise<TrainingState> {
  const modelJson = existsSync(path) && statSync(path).isDirectory() ? join(path, TFJS_MODEL_FILE) : path;
  const layout = modelLayout(layerSizes(config, dataset.inputs, dataset.classes));
  const params = await tfjsImport(layout, await readFile(modelJson, 'utf8'), async (p) => new Uint8Array(await readFile(join(dirname(modelJson), p))));
  return { step: 0, params, m: new Float32Array(layout.totalFloats), v: new Float32Array(layout.totalFloats) };
}
