// The page's model and run exports as deflated ZIP archives: the current weights for TensorFlow.js (with
// the set's class names), and the run (its data set, sample order and starting weights) for PyTorch DDP.
// The ZIP code is loaded when the first archive is made.
import type { RunConfig } from '../../core/config';
import { ddpExport } from '../../core/export-ddp';
import { ExportError } from '../../core/export-files';
import { tfjsExport } from '../../core/export-tfjs';
import { initParams, layerSizes, modelLayout } from '../../core/model';
import { currentWeights } from '../run/run-controller';
import { startingWeights } from './imported-weights';
import { loadRunDataset } from '../data/training-set';

type Zip = Uint8Array<ArrayBuffer>;

const zipper = () => import('../../core/export-zip');

export async function tfjsArchive(config: RunConfig): Promise<Zip> {
  const weights = await currentWeights();
  if (!weights) throw new ExportError('no weights yet: train first');
  const [dataset, { zipFiles }] = await Promise.all([loadRunDataset(config.dataset, config.seed), zipper()]);
  return zipFiles(tfjsExport(modelLayout(layerSizes(config, dataset.inputs, dataset.classes)), weights.params, dataset.classNames));
}

export async function ddpArchive(config: RunConfig): Promise<Zip> {
  const [dataset, { zipFiles }] = await Promise.all([loadRunDataset(config.dataset, config.seed), zipper()]);
  const layout = modelLayout(layerSizes(config, dataset.inputs, dataset.classes));
  return zipFiles(ddpExport(config, dataset, startingWeights(layout) ?? initParams(layout, config.seed)));
}
