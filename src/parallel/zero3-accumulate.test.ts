// ZeRO stage 3 with gradient accumulation on Dawn (FSDP under no_sync): each replica gathers every layer
// before each micro-batch's forward and backward, adds its micro-batches' gradients up in a whole-model
// accumulator, and reduce-scatters the sum once a step. Every step's losses, the evaluation and the final
// weights are zero=0's with the same accumulate (bitwise), and one device's with the whole batch (to 1e-5);
// the traffic is (2k + 1)K(N−1)/N on a ring, (2k + 1)K through star. With recompute=1 a segment's interior
// layers are gathered again and run forward again before the backward that needs them: the same bits.
import { describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG, type RunConfig } from '../core/config';
import type { MetricRecord, StepRecord, WorkersRecord } from '../core/metrics';
import { layerSizes, modelLayout } from '../core/model';
import { layerRanges } from '../core/zero-shards';
import { datasetShape } from '../core/datasets';
import { relativeError } from '../gpu/testing';
import { startDataParallel } from './data-coordinator';
import { inProcessHost, trainOneDevice } from './testing';

const CONFIG: RunConfig = { ...DEFAULT_CONFIG, dataset: 'spiral', layers: [32, 16], lr: 0.01, batch: 32, epochs: 1, seed: 5 };

async function run(config: RunConfig) {
  const records: MetricRecord[] = [];
  const handle = await startDataParallel({ config, env: inProcessHost(), emit: (r) => records.push(r) });
  const last = await handle.finished;
  expect(last.type, JSON.stringify(last)).toBe('done');
  return { last, records, params: handle.finalParams()! };
}

const steps = (records: MetricRecord[]) => records.filter((r): r is StepRecord => r.type === 'step');
const workers = (records: MetricRecord[]) => records.filter((r): r is WorkersRecord => r.type === 'workers');
const sha = (last: MetricRecord) => (last.type === 'done' ? last.weightsSha256 : '');

describe('ZeRO stage 3 with accumulate', () => {
  let one: Awaited<ReturnType<typeof trainOneDevice>>;

  for (const [replicas, accumulate, allreduce] of [[2, 2, 'ring'], [4, 2, 'ring'], [4, 2, 'star'], [2, 4, 'ring']] as const) {
    it(`${replicas} replicas (${allreduce}), accumulate=${accumulate}: zero=0's steps to the bit, one device's with the whole batch`, async () => {
      const config = { ...CONFIG, replicas, accumulate, allreduce };
      const base = await run(config);
      const r = await run({ ...config, zero: 3 });
      expect(steps(r.records)).toHaveLength(25);
      expect(steps(r.records)).toEqual(steps(base.records));
      expect(r.records.filter((e) => e.type === 'eval')).toEqual(base.records.filter((e) => e.type === 'eval'));
      expect(sha(r.last)).toBe(sha(base.last));
      expect(r.params).toEqual(base.params);
      // Two all-gathers of the weights a micro-batch, one reduce-scatter of the gradient a step: (2k + 1)K(N−1)/N
      // against the all-reduce's 2K(N−1)/N on a ring; star sends K each time, where zero=0 sends K once.
      const plain = workers(base.records)[0];
      const times = allreduce === 'ring' ? (2 * accumulate + 1) / 2 : 2 * accumulate + 1;
      for (const w of workers(r.records)) {
        expect(w.bytesSent.reduce((a, b) => a + b, 0) / replicas).toBeCloseTo(w.theoryBytes, 6);
        expect(w.theoryBytes).toBeCloseTo(times * plain.theoryBytes, 6);
      }
      one ??= await trainOneDevice(CONFIG);
      const want = steps(one.records);
      steps(r.records).forEach((s, i) => expect(Math.abs(s.loss - want[i].loss) / want[i].loss, `step ${s.step}`).toBeLessThan(1e-5));
      expect(relativeError(r.params, one.params)).toBeLessThan(1e-5);
    });
  }
});

describe('ZeRO stage 3 with recompute', () => {
  it('2 replicas (ring), recompute=1 and accumulate=2: zero=0 without recomputation\'s steps to the bit, each recomputed layer gathered again', async () => {
    // 2-32-16-3: segments of ⌈√3⌉ = 2 layers, so layer 1's output is recomputed before layer 2's backward.
    const config = { ...CONFIG, replicas: 2, accumulate: 2 };
    const base = await run(config);
    const r = await run({ ...config, zero: 3, recompute: 1 });
    expect(steps(r.records)).toHaveLength(25);
    expect(steps(r.records)).toEqual(steps(base.records));
    expect(r.records.filter((e) => e.type === 'eval')).toEqual(base.records.filter((e) => e.type === 'eval'));
    expect(sha(r.last)).toBe(sha(base.last));
    const shape = datasetShape(CONFIG.dataset);
    const layout = modelLayout(layerSizes(CONFIG, shape.inputs, shape.classes));
    const P = layout.totalFloats;
    const first = layerRanges(layout.layers, P)[0];
    // Per micro-batch: two gathers of the model and one more of layer 1; per step one reduce-scatter: 8 bytes a float, (N−1)/N = 1/2.
    const want = ((2 * (2 * P + first.hi - first.lo) + P) * 8) / 2;
    for (const w of workers(r.records)) {
      expect(w.theoryBytes).toBeCloseTo(want, 6);
      expect(w.bytesSent.reduce((a, b) => a + b, 0) / 2).toBeCloseTo(want, 6);
    }
  });
});
