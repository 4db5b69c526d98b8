// ZeRO stage 3 with gradient accumulation on Dawn (FSDP under no_sync): each replica gathers every layer
// before each micro-batch's forward and backward, adds its micro-batches' gradients up in a whole-model
// accumulator, and reduce-scatters the sum once a step. Every step's losses, the evaluation and the final
// weights are zero=0's with the same accumulate (bitwise), and one device's with the whole batch (to 1e-5);
// the traffic is (2k + 1)K(N−1)/N on a ring, (2k + 1)K through star.
import { describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG, type RunConfig } from '../core/config';
import type { MetricRecord, StepRecord, WorkersRecord } from '../core/metrics';
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
