// Weights the user imported from one of the lab's TensorFlow.js exports (the ZIP, stored or deflated, also
// as its folder zipped again; or model.json with its weight file): the next run starts from them, with
// fresh optimizer state, when its network fits. A ZIP is read in the ZIP worker.
import { create } from 'zustand';
import { ExportError, type ExportFile } from '../../core/export-files';
import { TFJS_MODEL_FILE, tfjsImport } from '../../core/export-tfjs';
import type { RunConfig } from '../../core/config';
import { datasetShape } from '../../core/datasets';
import { layerSizes, modelLayout, type ModelLayout } from '../../core/model';
import { unzipInWorker } from './zip-client';
import type { TrainingState } from '../../parallel/page-session';

interface ImportedWeights {
  /** What the user picked, for the page to name. */
  source: string;
  /** [inputs, hidden..., classes] of the imported network. */
  sizes: number[];
  params: Float32Array;
}

export const useImportedWeights = create<{ weights: ImportedWeights | null }>(() => ({ weights: null }));

const sameSizes = (a: number[], b: number[]) => a.length === b.length && a.every((v, i) => v === b[i]);

/** The imported weights if they fit this network, else null (the run starts from the seeded weights). */
export function startingWeights(layout: ModelLayout): Float32Array | null {
  const w = useImportedWeights.getState().weights;
  return w && sameSizes(w.sizes, layout.sizes) ? w.params.slice() : null;
}

/** The network sizes a model.json describes: the first layer's inputs, then every Dense layer's units. */
function sizesOf(modelJson: string): number[] {
  try {
    const layers = (JSON.parse(modelJson) as { modelTopology: { config: { layers: { config: { units: number; batch_input_shape?: number[] } }[] } } })
      .modelTopology.config.layers;
    return [layers[0].config.batch_input_shape![1], ...layers.map((l) => l.config.units)];
  } catch {
    throw new ExportError(`${TFJS_MODEL_FILE} is not a model exported by the lab (Dense layers with an input shape)`);
  }
}

/** Reads picked files (the lab's ZIP, or model.json and its .bin) and keeps their weights for the next run. */
export async function importWeights(picked: readonly File[]): Promise<ImportedWeights> {
  const files: ExportFile[] = [];
  for (const f of picked) {
    const bytes = new Uint8Array(await f.arrayBuffer());
    if (f.name.toLowerCase().endsWith('.zip')) files.push(...(await unzipInWorker(bytes)));
    else files.push({ path: f.name, bytes });
  }
  const weights = await weightsOf(files, picked.map((f) => f.name).join(', '));
  useImportedWeights.setState({ weights });
  return weights;
}

/** The weights of a TensorFlow.js export's files: model.json (by name, also in a folder) and what it names. */
export async function weightsOf(files: readonly ExportFile[], source: string): Promise<ImportedWeights> {
  const fileName = (path: string) => path.slice(path.lastIndexOf('/') + 1);
  const model = files.find((f) => fileName(f.path) === TFJS_MODEL_FILE) ?? files.find((f) => f.path.endsWith('.json'));
  if (!model) throw new ExportError(`pick the lab's TensorFlow.js ZIP, or ${TFJS_MODEL_FILE} together with its .bin file`);
  // The manifest names its weight files beside model.json, which may sit in a folder of the ZIP.
  const folder = model.path.slice(0, model.path.length - fileName(model.path).length);
  const text = new TextDecoder().decode(model.bytes);
  const sizes = sizesOf(text);
  const params = await tfjsImport(modelLayout(sizes), text, async (path) => {
    const file = files.find((f) => f.path === folder + path);
    if (!file) throw new ExportError(`${TFJS_MODEL_FILE} needs ${path}: pick it too`);
    return file.bytes;
  });
  return { source, sizes, params };
}

export function clearImportedWeights(): void {
  useImportedWeights.setState({ weights: null });
}

/** A fresh run's starting state from the imported weights (step 0, zero optimizer state), if they fit. */
export function importedStart(config: RunConfig): TrainingState | undefined {
  const shape = datasetShape(config.dataset);
  const layout = modelLayout(layerSizes(config, shape.inputs, shape.classes));
  const params = startingWeights(layout);
  return params ? { step: 0, params, m: new Float32Array(layout.totalFloats), v: new Float32Array(layout.totalFloats) } : undefined;
}
