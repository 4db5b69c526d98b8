// The page's model and run exports as ZIP archives: the current weights for TensorFlow.js, and the run
// (its data set, sample order and starting weights) for PyTorch DDP.
import type { RunConfig } from '../../core/config';
import { datasetShape } from '../../core/datasets';
import { ddpExport } from '../../core/export-ddp';
import { ExportError, zipFiles } from '../../core/export-files';
import { tfjsExport } from '../../core/export-tfjs';
import { initParams, layerSizes, modelLayout } from '../../core/model';
import { currentWeights } from '../run/run-controller';
import { startingWeights } from './imported-weights';
import { loadRunDataset } from '../data/training-set';

type Zip = Uint8Array<ArrayBuffer>;

export async function tfjsArchive(config: RunConfig): Promise<Zip> {
  const weights = await currentWeights();
  if (!weights) throw new ExportError('no weights yet: train first');
  const shape = datasetShape(config.dataset);
  return zipFiles(tfjsExport(modelLayout(layerSizes(config, shape.inputs, shape.classes)), weights.params)) as Zip;
}

export async function ddpArchive(config: RunConfig): Promise<Zip> {
  const dataset = await loadRunDataset(config.dataset, config.seed);
  const layout = modelLayout(layerSizes(config, dataset.inputs, dataset.classes));
  return zipFiles(ddpExport(config, dataset, startingWeights(layout) ?? initParams(layout, config.seed))) as Zip;
}
