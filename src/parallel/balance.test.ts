// balance=speed on Dawn, replicas served in-process, rank 1 slowed by the test-only throttle: the second
// epoch gives rank 1 the smaller share, every step is still one device's global batch with its exact
// gradient (losses and final weights within 1e-5 of one device), and the median step is shorter than with
// balance=equal and the same throttle (an ordering, never a time).
import { beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG, type RunConfig } from '../core/config';
import { median } from '../core/median';
import type { MetricRecord, ShardRecord, StepRecord, WorkersRecord } from '../core/metrics';
import { epochOrder } from '../core/sampler';
import { relativeError } from '../gpu/testing';
import { startDataParallel } from './data-coordinator';
import { throttledSpawn } from './test-throttle';
import { inProcessHost, trainOneDevice } from './testing';

/** 800 spiral points, 25 steps of 32 a epoch; rank 1 sleeps 5 ms a sample, several times its compute on this model. */
const CONFIG: RunConfig = {
  ...DEFAULT_CONFIG, dataset: 'spiral', layers: [8], lr: 0.01, batch: 32, epochs: 2, seed: 7, replicas: 2, sync: 'step',
};
const THROTTLE_MS_PER_SAMPLE = 5;

async function throttledRun(config: RunConfig) {
  const host = inProcessHost();
  const records: MetricRecord[] = [];
  const env = { ...host, spawn: throttledSpawn((rank) => host.spawn(rank), (rank) => (rank === 1 ? THROTTLE_MS_PER_SAMPLE : 0)) };
  const run = await startDataParallel({ config, env, emit: (r) => records.push(r) });
  const last = await run.finished;
  return { records, last, params: run.finalParams() };
}

const ofType = <T extends MetricRecord['type']>(records: MetricRecord[], type: T) =>
  records.filter((r): r is Extract<MetricRecord, { type: T }> => r.type === type);

/** Each step's time: the longest replica's phases together (the others' all-reduce includes waiting for it). */
const stepMs = (w: WorkersRecord) => Math.max(...w.times.map((t) => t.computeMs + t.readbackMs + t.allreduceMs + t.updateMs));

describe('balance=speed with rank 1 throttled', () => {
  let one: Awaited<ReturnType<typeof trainOneDevice>>;
  let speed: Awaited<ReturnType<typeof throttledRun>>;
  let equal: Awaited<ReturnType<typeof throttledRun>>;
  beforeAll(async () => {
    one = await trainOneDevice({ ...CONFIG, replicas: 1 });
    speed = await throttledRun({ ...CONFIG, balance: 'speed' });
    equal = await throttledRun({ ...CONFIG, balance: 'equal' });
  }, 600_000);

  it('epoch 1 is cut equally, epoch 2 by speed: the slowed rank 1 gets the smaller share, recorded in every shard record', () => {
    expect(speed.last.type, JSON.stringify(speed.last)).toBe('done');
    const shards = ofType(speed.records, 'shard');
    expect(shards).toHaveLength(50);
    const byEpoch = (e: number) => shards.filter((s) => s.epoch === e);
    byEpoch(1).forEach((s) => expect(s.shares).toEqual([0.5, 0.5]));
    const [fast, slow] = byEpoch(2)[0].shares!;
    expect(fast + slow).toBeCloseTo(1, 12);
    expect(slow).toBeLessThan(0.4);
    byEpoch(2).forEach((s) => {
      expect(s.shares).toEqual([fast, slow]);
      expect(s.ids[1].length).toBeLessThan(s.ids[0].length);
    });
    expect(ofType(equal.records, 'shard').every((s) => s.shares === undefined)).toBe(true);
  });

  it('every step trains one device\'s global batch, in its order, with the same loss within 1e-5; the final weights too', () => {
    const shards = ofType(speed.records, 'shard');
    shards.forEach((s: ShardRecord) => {
      const order = epochOrder(CONFIG.seed, s.epoch, 800);
      const at = (s.step - 1 - (s.epoch - 1) * 25) * 32;
      expect(s.ids.flat(), `step ${s.step}`).toEqual([...order.subarray(at, at + 32)]);
    });
    const losses = ofType(speed.records, 'step').map((r: StepRecord) => r.loss);
    const oneLosses = ofType(one.records, 'step').map((r: StepRecord) => r.loss);
    expect(losses).toHaveLength(50);
    losses.forEach((loss, i) => expect(Math.abs(loss - oneLosses[i]) / oneLosses[i], `step ${i + 1}`).toBeLessThan(1e-5));
    expect(relativeError(speed.params!, one.params)).toBeLessThan(1e-5);
  });

  it('the median step of epoch 2 is shorter than with balance=equal and the same throttle', () => {
    expect(equal.last.type, JSON.stringify(equal.last)).toBe('done');
    const epoch2 = (records: MetricRecord[]) => ofType(records, 'workers').filter((w) => w.step > 25).map(stepMs);
    const [speedSteps, equalSteps] = [epoch2(speed.records), epoch2(equal.records)];
    expect(speedSteps).toHaveLength(25);
    expect(equalSteps).toHaveLength(25);
    expect(median(speedSteps)).toBeLessThan(median(equalSteps));
  });
});
