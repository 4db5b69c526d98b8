// The bench page's lab side, in a Web Worker as in the lab: its own WebGPU device, the lab's matmul,
// and the lab's Trainer stepping MNIST 784-64-10 with Adam (the same trainer.step the training loop runs).
/// <reference lib="webworker" />
import { loadDataset, type Dataset } from '../../src/core/datasets';
import { initParams, layerSizes, modelLayout } from '../../src/core/model';
import { batchIndices, epochOrder, stepsPerEpoch } from '../../src/core/sampler';
import { createContext } from '../../src/gpu/context';
import { requestDevice } from '../../src/gpu/device';
import { StatsLog } from '../../src/gpu/stats-log';
import { createTrainer, type Trainer } from '../../src/gpu/trainer';
import { constantLr } from '../../src/core/optimizers';
import { fetchAsset } from '../../src/parallel/fetch-asset';
import { copyBandwidth, LAB_MATMUL, timeMatmul } from '../kernels';
import type { LabReply, LabRequest } from './protocol';

const device = await requestDevice(navigator.gpu);
const ctx = createContext(device);
const dataset: Dataset = await loadDataset('mnist', 1, fetchAsset);
const layout = modelLayout(layerSizes({ layers: [64] }, dataset.inputs, dataset.classes));
const trainers = new Map<number, Trainer>();
const order = epochOrder(1, 1, dataset.train.n);

async function train(batch: number, steps: number, first: number): Promise<LabReply> {
  let trainer = trainers.get(batch);
  if (!trainer) {
    trainer = await createTrainer(device, { layout, optimizer: 'adam', lr: constantLr(0.001), maxRows: batch, accumulate: 1 }, dataset, initParams(layout, 1));
    trainers.set(batch, trainer);
  }
  const log = new StatsLog(device, steps);
  const perEpoch = stepsPerEpoch(dataset.train.n, batch);
  const start = performance.now();
  for (let i = 0; i < steps; i++) {
    const t = first + i;
    trainer.step(batchIndices(order, batch, (t - 1) % perEpoch), t, log.buffer, log.nextOffset());
  }
  log.flush();
  const stats = await log.oldest();
  const ms = performance.now() - start;
  log.buffer.destroy();
  return { kind: 'train', ms, loss: stats[stats.length - 1].lossSum / batch };
}

async function handle(request: LabRequest): Promise<LabReply> {
  if (request.kind === 'matmul') {
    return { kind: 'matmul', ms: await timeMatmul(ctx, LAB_MATMUL, request.shape, request.samples, request.sampleMs, request.warm) };
  }
  if (request.kind === 'copy') return { kind: 'copy', gbs: await copyBandwidth(device, request.bytes, request.samples) };
  return train(request.batch, request.steps, request.first);
}

self.onmessage = (e: MessageEvent<LabRequest>) => {
  handle(e.data).then((reply) => self.postMessage(reply), (err: unknown) => self.postMessage({ kind: 'error', message: String(err) }));
};
const info = device.adapterInfo;
self.postMessage({ kind: 'ready', adapter: `${info.vendor} ${info.architecture} ${info.description}`.trim() } satisfies LabReply);
