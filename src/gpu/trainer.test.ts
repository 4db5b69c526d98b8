// The GPU trainer against the float64 reference trainer: gradients of one batch (whole, and accumulated
// over micro-batches), then several whole steps of each optimizer (losses and parameters) through a
// warm-up and a cosine decay, on a 2-hidden-layer model with awkward widths.
import { describe, expect, it } from 'vitest';
import { OPTIMIZERS, type OptimizerName } from '../core/config';
import { twoDDataset, type Dataset } from '../core/datasets';
import { initParams, modelLayout } from '../core/model';
import type { LrSchedule } from '../core/optimizers';
import { forwardBackwardRef, gatherRef, optimizerStepRef } from '../core/reference';
import { batchIndices, epochOrder } from '../core/sampler';
import { readBuffer, storageBuffer } from './context';
import { requestNodeDevice } from './dawn';
import { decodeLossStats, LOSS_STATS_BYTES } from './softmax-ce';
import { relativeError, testContext } from './testing';
import { Trainer } from './trainer';

const SIZES = [2, 13, 7, 3];
const BATCH = 37;
/** Two warm-up steps, then a cosine decay over the 6 steps the tests take. */
const LR: LrSchedule = { peak: 0.01, warmup: 2, decay: 'cosine', totalSteps: 6 };

async function setup(optimizer: OptimizerName, seed: number) {
  const ctx = await testContext();
  const dataset: Dataset = twoDDataset('spiral', seed);
  const layout = modelLayout(SIZES);
  const params = initParams(layout, seed);
  const trainer = new Trainer(ctx.device, { layout, optimizer, lr: LR, maxRows: 512, accumulate: 1 }, dataset, params);
  return { ctx, dataset, layout, params, trainer };
}

describe('GPU trainer vs float64 reference', () => {
  it('gradients of one batch', async () => {
    const { ctx, dataset, layout, params, trainer } = await setup('sgd', 7);
    const indices = batchIndices(epochOrder(7, 1, dataset.train.n), BATCH, 0);
    const encoder = ctx.device.createCommandEncoder();
    trainer.encodeGradients(encoder, indices, BATCH);
    ctx.device.queue.submit([encoder.finish()]);
    const batch = gatherRef(dataset.train.x, dataset.train.y, 2, indices);
    const ref = forwardBackwardRef(layout, params, batch.x, batch.y, BATCH, 1 / BATCH);
    expect(relativeError(await trainer.readGrads(), ref.grads)).toBeLessThan(1e-5);
    const stats = decodeLossStats(await readBuffer(ctx.device, trainer.stats));
    expect(Math.abs(stats.lossSum - ref.lossSum) / ref.lossSum).toBeLessThan(1e-5);
    expect(stats.correct).toBe(ref.correct);
  });

  it('accumulate=4: a batch of 37 through activations of 10 rows gives the whole batch\'s gradients and loss', async () => {
    const { ctx, dataset, layout, params } = await setup('sgd', 7);
    const trainer = new Trainer(ctx.device, { layout, optimizer: 'sgd', lr: LR, maxRows: 10, accumulate: 4 }, dataset, params);
    const indices = batchIndices(epochOrder(7, 1, dataset.train.n), BATCH, 0);
    const encoder = ctx.device.createCommandEncoder();
    trainer.encodeGradients(encoder, indices, BATCH);
    ctx.device.queue.submit([encoder.finish()]);
    const batch = gatherRef(dataset.train.x, dataset.train.y, 2, indices);
    const ref = forwardBackwardRef(layout, params, batch.x, batch.y, BATCH, 1 / BATCH);
    expect(relativeError(await trainer.readGrads(), ref.grads)).toBeLessThan(1e-5);
    const stats = decodeLossStats(await readBuffer(ctx.device, trainer.stats));
    expect(Math.abs(stats.lossSum - ref.lossSum) / ref.lossSum).toBeLessThan(1e-5);
    expect(stats.correct).toBe(ref.correct);
    // Four micro-batches of at most 10 rows hold 40: one more row does not fit.
    expect(() => trainer.encodeGradients(ctx.device.createCommandEncoder(), new Uint32Array(41), 41)).toThrow('outside 1..40');
  });

  for (const optimizer of OPTIMIZERS) {
    it(`${optimizer}: 6 steps of warm-up and cosine decay, losses and parameters`, async () => {
      const seed = 11;
      const { ctx, dataset, layout, params, trainer } = await setup(optimizer, seed);
      const steps = LR.totalSteps;
      const log = storageBuffer(ctx.device, 'log', steps * LOSS_STATS_BYTES);
      const ref = { params: Float64Array.from(params), m: new Float64Array(params.length), v: new Float64Array(params.length), t: 0 };
      const refLosses: number[] = [];
      const order = epochOrder(seed, 1, dataset.train.n);
      for (let t = 1; t <= steps; t++) {
        // The last batch is short, as at the end of an epoch.
        const indices = batchIndices(order, BATCH, t - 1).subarray(0, t === steps ? 5 : BATCH);
        trainer.step(indices, t, log, (t - 1) * LOSS_STATS_BYTES);
        const batch = gatherRef(dataset.train.x, dataset.train.y, 2, indices);
        const fb = forwardBackwardRef(layout, ref.params, batch.x, batch.y, indices.length, 1 / indices.length);
        refLosses.push(fb.lossSum / indices.length);
        optimizerStepRef(optimizer, ref, fb.grads, LR);
      }
      const bytes = await readBuffer(ctx.device, log);
      const losses = refLosses.map((_, i) => decodeLossStats(bytes, i * LOSS_STATS_BYTES).lossSum / (i === steps - 1 ? 5 : BATCH));
      expect(relativeError(losses, refLosses)).toBeLessThan(1e-5);
      const got = await trainer.readParams();
      const moved = got.map((w, i) => w - params[i]);
      const refMoved = ref.params.map((w, i) => w - params[i]);
      expect(relativeError(moved, refMoved)).toBeLessThan(1e-4);
      expect(relativeError(got, ref.params)).toBeLessThan(1e-6);
    });
  }
});

describe('compile', () => {
  it('compiles a step\'s, the update\'s and evaluation\'s pipelines asynchronously; training afterwards compiles none, with the same numbers', async () => {
    const seed = 5;
    const { dataset, layout, params, trainer: onTheFly } = await setup('adam', seed);
    // A device of its own, counting the pipelines it compiles each way.
    const device = await requestNodeDevice();
    const counts = { sync: 0, async: 0 };
    const { createComputePipeline, createComputePipelineAsync } = device;
    device.createComputePipeline = (d) => (counts.sync++, createComputePipeline.call(device, d));
    device.createComputePipelineAsync = (d) => (counts.async++, createComputePipelineAsync.call(device, d));
    const compiled = new Trainer(device, { layout, optimizer: 'adam', lr: LR, maxRows: 512, accumulate: 1 }, dataset, params);
    await compiled.compile(BATCH, BATCH);
    expect(counts.async).toBeGreaterThanOrEqual(4);
    const runs = [];
    for (const trainer of [compiled, onTheFly]) {
      const log = storageBuffer(trainer.device, 'log', 3 * LOSS_STATS_BYTES);
      const order = epochOrder(seed, 1, dataset.train.n);
      for (let t = 1; t <= 3; t++) trainer.step(batchIndices(order, BATCH, t - 1), t, log, (t - 1) * LOSS_STATS_BYTES);
      runs.push({ log: new Float32Array(await readBuffer(trainer.device, log)), test: await trainer.evaluate(), params: await trainer.readParams() });
    }
    expect(counts.sync).toBe(0);
    expect(runs[0]).toEqual(runs[1]);
  });
});
