// The page's model and run exports as deflated ZIP archives, zipped in a worker: the current weights for
// TensorFlow.js (with the set's class names), and the run (its data set, sample order and starting
// weights) for PyTorch DDP.
import type { RunConfig } from '../../core/config';
import { ddpExport } from '../../core/export-ddp';
import { ExportError } from '../../core/export-files';
import { tfjsExport } from '../../core/export-tfjs';
import { initParams, layerSizes, modelLayout } from '../../core/model';
import { currentWeights } from '../run/run-controller';
import { startingWeights } from './imported-weights';
import { zipInWorker } from './zip-client';
import { loadRunDataset } from '../data/training-set';

type Zip = Uint8Array<ArrayBuffer>;

export async function tfjsArchive(config: RunConfig): Promise<Zip> {
  const weights = await currentWeights();
  if (!weights) throw new ExportError('no weights yet: train first');
  const dataset = await loadRunDataset(config.dataset, config.seed);
  return zipInWorker(tfjsExport(modelLayout(layerSizes(config, dataset.inputs, dataset.classes)), weights.params, dataset.classNames));
}

export async function ddpArchive(config: RunConfig): Promise<Zip> {
  const dataset = await loadRunDataset(config.dataset, config.seed);
  const layout = modelLayout(layerSizes(config, dataset.inputs, dataset.classes));
  return zipInWorker(ddpExport(config, dataset, startingWeights(layout) ?? initParams(layout, config.seed)));
}
