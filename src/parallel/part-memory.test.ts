// What each model-parallel worker allocates on its device against its memory plan (core/part-memory.ts):
// every byte of createBuffer still live when the run ends, within 5% of the plan, for pipeline stages
// with and without recomputation and for tensor-parallel ranks; recomputation shrinks the stages' planned
// activations by what the shared set saves, which the memory check (under memlimit) sees too.
import { describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG, type RunConfig } from '../core/config';
import { loadDataset } from '../core/datasets';
import { bytesByKind } from '../core/memory-plan';
import { layerSizes, modelLayout } from '../core/model';
import { modelParallelPlan } from '../core/model-parallel';
import { partBuffers, partMemoryOf } from '../core/part-memory';
import { findPreset } from '../core/presets';
import { checkMemory, memoryPlan } from '../gpu/memory';
import { EVAL_CHUNK } from '../gpu/trainer';
import { startModelParallel } from './model-coordinator';
import { countingDevice } from '../gpu/testing';
import { inProcessHost, readAsset } from './testing';

const BASE: RunConfig = { ...DEFAULT_CONFIG, dataset: 'spiral', layers: [64, 64, 64], lr: 0.01, batch: 64, epochs: 1, seed: 2, stages: 2 };

async function plannedAndAllocated(config: RunConfig): Promise<{ planned: number[]; allocated: number[]; activations: number[] }> {
  const dataset = await loadDataset(config.dataset, config.seed, readAsset);
  const plan = modelParallelPlan(config, modelLayout(layerSizes(config, dataset.inputs, dataset.classes)));
  const live: number[] = [];
  const run = await startModelParallel({ config, env: inProcessHost((rank) => countingDevice(live, rank)), emit: () => {} });
  expect((await run.finished).type).toBe('done');
  const sizes = { shareRows: Math.ceil(config.batch / config.replicas), evalRows: Math.min(EVAL_CHUNK, dataset.test.n), trainSamples: dataset.train.n, testSamples: dataset.test.n };
  const stages = plan.workers.length;
  const buffers = live.map((_, rank) => {
    const stage = config.mode === 'pipeline' ? rank % stages : rank;
    return partBuffers(partMemoryOf(config, { layout: plan.workers[stage].layout, stage, stages }, sizes));
  });
  return {
    planned: buffers.map((b) => b.reduce((s, x) => s + x.bytes, 0)),
    allocated: live,
    activations: buffers.map((b) => bytesByKind(b).activations),
  };
}

function expectWithin5Percent({ planned, allocated }: { planned: number[]; allocated: number[] }, what: string): void {
  expect(allocated.length).toBe(planned.length);
  planned.forEach((plan, rank) => {
    expect(Math.abs(allocated[rank] - plan) / plan, `${what}, worker ${rank}: allocated ${allocated[rank]} B, planned ${plan} B`).toBeLessThan(0.05);
  });
}

describe('model-parallel memory: planned = allocated within 5% per worker', () => {
  it('pipeline, GPipe over 2 stages × 4 micro-batches, recompute 0 and 1', async () => {
    const config: RunConfig = { ...BASE, mode: 'pipeline', microbatches: 4 };
    const plain = await plannedAndAllocated(config);
    const again = await plannedAndAllocated({ ...config, recompute: 1 });
    expectWithin5Percent(plain, 'recompute=0');
    expectWithin5Percent(again, 'recompute=1');
    // 4 slots of 16 rows: each stage keeps 3 slots' interior activations fewer.
    plain.activations.forEach((bytes, stage) => expect(again.activations[stage]).toBeLessThan(bytes));
    expect(plain.activations[0] - again.activations[0]).toBe(3 * 16 * (64 + 64) * 4);
  });

  it('tensor parallel over 2 ranks', async () => {
    expectWithin5Percent(await plannedAndAllocated({ ...BASE, mode: 'tensor' }), 'tensor');
  });
});

describe('the model-parallel memory check', () => {
  it('refuses under memlimit, naming it, a stage that fits only with recompute=1 (recompute-pipeline, stage 1)', () => {
    const config = findPreset('recompute-pipeline')!.config;
    const plan = modelParallelPlan(config, modelLayout([784, 256, 256, 256, 10]));
    const sizes = { shareRows: config.batch, evalRows: EVAL_CHUNK, trainSamples: 60000, testSamples: 10000 };
    const total = (recompute: number) => memoryPlan(partBuffers(partMemoryOf({ ...config, recompute }, { layout: plan.workers[1].layout, stage: 1, stages: 2 }, sizes)));
    const limits = { maxStorageBufferBindingSize: 2 ** 30, maxBufferSize: 2 ** 30 } as GPUSupportedLimits;
    const memlimit = (total(0).totalBytes + total(1).totalBytes) / 2 / 2 ** 20;
    expect(() => checkMemory(total(0), limits, memlimit)).toThrow(/model too large: needs [\d.]+ MiB of GPU memory in all, over memlimit/);
    expect(() => checkMemory(total(1), limits, memlimit)).not.toThrow();
  });
});
