// Gradient accumulation and the learning-rate schedule on Dawn: 2 replicas each adding up 4 micro-batches
// of 4 rows train like one device with the whole batch of 32, step by step, through a warm-up and a cosine
// decay; so do one device accumulating 4 micro-batches, 2 pipeline replicas each accumulating 2 shares of
// 2 pipeline micro-batches, and tensor parallelism accumulating 4; every step record carries its learning rate.
import { describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG, type RunConfig } from '../core/config';
import { nodeMemberHost } from '../cli/node-replicas';
import type { MetricRecord, StagesRecord, StepRecord } from '../core/metrics';
import { learningRate, runLrSchedule } from '../core/optimizers';
import { relativeError } from '../gpu/testing';
import { startDataParallel } from './data-coordinator';
import { startModelParallel } from './model-coordinator';
import { inProcessHost, trainOneDevice } from './testing';

const CONFIG: RunConfig = {
  ...DEFAULT_CONFIG, dataset: 'spiral', layers: [13, 7], lr: 0.02, warmup: 5, lrschedule: 'cosine', batch: 32, epochs: 1, seed: 5,
};

const steps = (records: MetricRecord[]) => records.filter((r): r is StepRecord => r.type === 'step');

async function replicas(config: RunConfig) {
  const records: MetricRecord[] = [];
  const run = await startDataParallel({ config, env: inProcessHost(), emit: (r) => records.push(r) });
  const last = await run.finished;
  return { records, last, params: run.finalParams() };
}

async function modelParallel(config: RunConfig) {
  const records: MetricRecord[] = [];
  const run = await startModelParallel({ config, env: nodeMemberHost(), emit: (r) => records.push(r) });
  const last = await run.finished;
  return { records, last, params: run.finalParams() };
}

/** Checks every step's loss and learning rate, and the final weights, against one device's. */
function expectSameSteps(name: string, run: { records: MetricRecord[]; params: Float32Array | null }, one: { records: MetricRecord[]; params: Float32Array }) {
  const want = steps(one.records);
  const got = steps(run.records);
  expect(got.map((s) => s.lr), name).toEqual(want.map((s) => s.lr));
  got.forEach((s, i) => expect(Math.abs(s.loss - want[i].loss) / want[i].loss, `${name}: step ${s.step}`).toBeLessThan(1e-5));
  expect(relativeError(run.params!, one.params), name).toBeLessThan(1e-5);
}

describe('accumulate', () => {
  it('2 replicas × 4 micro-batches of 4 match one device with the batch of 32 at each of 25 steps of warm-up and cosine decay', async () => {
    const one = await trainOneDevice(CONFIG);
    const oneSteps = steps(one.records);
    expect(oneSteps).toHaveLength(25);
    const schedule = runLrSchedule(CONFIG, 25);
    expect(oneSteps.map((s) => s.lr)).toEqual(oneSteps.map((s) => learningRate(schedule, s.step)));
    expect(oneSteps[4].lr).toBe(0.02);
    for (const [name, run] of [
      ['one device, accumulate=4', await trainOneDevice({ ...CONFIG, accumulate: 4 })],
      ['2 replicas, accumulate=4', await replicas({ ...CONFIG, replicas: 2, accumulate: 4 })],
    ] as const) expectSameSteps(name, run, one);
  });

  it('pipeline (1F1B, 2 stages, 2 replicas) and tensor parallelism (2 workers) accumulate like one device', async () => {
    const deep: RunConfig = { ...CONFIG, layers: [16, 16] };
    const one = await trainOneDevice(deep);
    const pipeline = await modelParallel({ ...deep, mode: 'pipeline', schedule: '1f1b', stages: 2, replicas: 2, microbatches: 2, accumulate: 2 });
    expect(pipeline.last.type, JSON.stringify(pipeline.last)).toBe('done');
    expectSameSteps('pipeline', pipeline, one);
    // Each stage ran 2 shares × 2 micro-batches forward in every step.
    const stages = pipeline.records.find((r): r is StagesRecord => r.type === 'stages')!;
    for (const spans of stages.spans) expect(new Set(spans.filter((x) => x.kind === 'F').map((x) => x.microbatch))).toEqual(new Set([0, 1, 2, 3]));
    const tensor = await modelParallel({ ...deep, mode: 'tensor', stages: 2, accumulate: 4 });
    expect(tensor.last.type, JSON.stringify(tensor.last)).toBe('done');
    expectSameSteps('tensor', tensor, one);
  });
});
