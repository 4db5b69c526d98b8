// What a data-parallel replica allocates on its device against its memory plan (core/memory-plan.ts), at
// ZeRO stages 0 to 3 on 4 replicas: every byte of createBuffer still live when the run ends, within 5%
// of the plan; the optimizer state and the backups shrink as the plan says, the gradient at stage 2 to a
// shard and one layer of it, and at stage 3 the weights too (with accumulate=2 stage 3 holds the whole
// gradient again, its micro-batches' accumulator, besides its shard; recompute=1 is checked too). And the memory check refuses,
// naming the limit, a model that fits one worker's memory only with its state sharded.
import { describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG, type RunConfig } from '../core/config';
import { loadDataset } from '../core/datasets';
import { bytesByKind, trainerBuffers } from '../core/memory-plan';
import { layerRanges, shardOf } from '../core/zero-shards';
import { layerSizes, modelLayout } from '../core/model';
import { checkMemory, planMemory } from '../gpu/memory';
import { EVAL_CHUNK } from '../gpu/trainer';
import { startDataParallel } from './data-coordinator';
import { countingDevice } from '../gpu/testing';
import { inProcessHost, readAsset } from './testing';

const CONFIG: RunConfig = { ...DEFAULT_CONFIG, dataset: 'spiral', layers: [256, 128], lr: 0.01, batch: 32, epochs: 1, seed: 5, replicas: 4 };

describe('ZeRO memory', () => {
  it('each of 4 replicas allocates its planned bytes within 5% at zero 0 to 3', async () => {
    const dataset = await loadDataset(CONFIG.dataset, CONFIG.seed, readAsset);
    const layout = modelLayout(layerSizes(CONFIG, dataset.inputs, dataset.classes));
    const maxRows = Math.max(CONFIG.batch, Math.min(EVAL_CHUNK, dataset.test.n));
    const planned = (zero: number, rank: number) => trainerBuffers({
      layout, maxRows, accumulate: 1, trainSamples: dataset.train.n, testSamples: dataset.test.n, staging: true, backups: zero === 0,
      zero: zero ? { stage: zero, rank, world: 4 } : undefined,
    });
    const state: number[] = [];
    const model: number[] = [];
    for (const zero of [0, 1, 2, 3]) {
      const live: number[] = [];
      const run = await startDataParallel({ config: { ...CONFIG, zero }, env: inProcessHost((rank) => countingDevice(live, rank)), emit: () => {} });
      expect((await run.finished).type).toBe('done');
      for (let rank = 0; rank < 4; rank++) {
        const plan = planned(zero, rank).reduce((s, b) => s + b.bytes, 0);
        expect(Math.abs(live[rank] - plan) / plan, `zero=${zero} rank ${rank}: allocated ${live[rank]} B, planned ${plan} B`).toBeLessThan(0.05);
      }
      const kinds = bytesByKind(planned(zero, 0));
      state.push(kinds['optimizer state'] + kinds.backups);
      model.push(kinds.parameters + kinds.gradients);
    }
    // Rank 0 owns chunk 1 of 4: about a quarter of Adam's m and v, and no backups.
    const P = layout.totalFloats * 4;
    expect(state[0]).toBe(2 * P + 6 * P);
    expect(state[1]).toBeLessThan(0.3 * 2 * P);
    expect(state[2]).toBe(state[1]);
    expect(state[3]).toBe(state[1]);
    expect(model[1]).toBe(2 * P);
    const { lo, hi } = shardOf(0, 4, layout.totalFloats);
    const widest = Math.max(...layerRanges(layout.layers, layout.totalFloats).map((r) => r.hi - r.lo));
    // Stage 2: the whole weights, its shard of the gradient and one layer of it; stage 3: a shard and a layer of each.
    expect(model[2]).toBe(P + 4 * (hi - lo + widest));
    expect(model[3]).toBe(2 * 4 * (hi - lo + widest));
  });

  for (const [accumulate, recompute] of [[2, 0], [1, 1]]) {
    it(`at zero=3 with accumulate=${accumulate} and recompute=${recompute} each of 4 replicas allocates its planned bytes within 5%`, async () => {
      const config = { ...CONFIG, zero: 3, accumulate, recompute };
      const dataset = await loadDataset(config.dataset, config.seed, readAsset);
      const layout = modelLayout(layerSizes(config, dataset.inputs, dataset.classes));
      // A micro-batch's rows, as the replica sizes its activations (parallel/replica-loop.ts).
      const maxRows = Math.max(Math.ceil(config.batch / config.accumulate), Math.min(EVAL_CHUNK, dataset.test.n));
      const live: number[] = [];
      const run = await startDataParallel({ config, env: inProcessHost((rank) => countingDevice(live, rank)), emit: () => {} });
      expect((await run.finished).type).toBe('done');
      const P = layout.totalFloats * 4;
      for (let rank = 0; rank < 4; rank++) {
        const buffers = trainerBuffers({
          layout, maxRows, accumulate, recompute: recompute === 1, trainSamples: dataset.train.n, testSamples: dataset.test.n, staging: true, backups: false,
          zero: { stage: 3, rank, world: 4 },
        });
        const plan = buffers.reduce((s, b) => s + b.bytes, 0);
        expect(Math.abs(live[rank] - plan) / plan, `rank ${rank}: allocated ${live[rank]} B, planned ${plan} B`).toBeLessThan(0.05);
        // With micro-batches the whole gradient, their accumulator, beside the shard; with recomputation a shared activation buffer.
        const { lo, hi } = shardOf(rank, 4, layout.totalFloats);
        if (accumulate > 1) expect(bytesByKind(buffers).gradients).toBe(P + 4 * (hi - lo));
        else expect(buffers.some((b) => b.name === 'recomputed activations 1')).toBe(true);
      }
    });
  }

  it('the memory check refuses at zero=0 a model whose sharded plan fits, naming the limit', () => {
    const layout = modelLayout([784, 4096, 4096, 4096, 10]);
    const limits = { maxStorageBufferBindingSize: 2 ** 30, maxBufferSize: 2 ** 30 } as GPUSupportedLimits;
    const args = [layout, 64, 60000, 10000] as const;
    expect(() => checkMemory(planMemory(...args, { staging: true }), limits)).toThrow(/model too large: needs [\d.]+ MiB of GPU memory in all, over the lab's limit of 1024\.0 MiB/);
    expect(() => checkMemory(planMemory(...args, { staging: true, backups: false, zero: { stage: 1, rank: 0, world: 4 } }), limits)).not.toThrow();
  });
});
