// ZeRO stages 1 and 2 on Dawn, replicas served in-process: the gradient reduce-scattered, each replica's
// 1/N of the weights updated with its 1/N of the optimizer state, the weights all-gathered. Every step's
// weights (each replica's checksum) and the final weights are those of zero=0, on ring and star, with 2 and
// 4 replicas. At every stage (3 included: zero3.test.ts has its steps) a checkpoint is the union of the
// shards (zero=0's state), and a run resumed from it, or one that lost a replica, ends with the uninterrupted
// checksum. The key's checks name the field.
import { describe, expect, it } from 'vitest';
import { applyOverrides, DEFAULT_CONFIG, type RunConfig } from '../core/config';
import type { MetricRecord, SyncRecord, WorkersRecord } from '../core/metrics';
import { zeroBounds } from '../core/zero-shards';
import { requestNodeDevice } from '../gpu/dawn';
import type { TrainingState } from '../gpu/train-run';
import { startDataParallel } from './data-coordinator';
import { inProcessHost } from './testing';

// 675 floats: 4 replicas own 128, 192, 128 and 227 of them; [13, 7] (161 floats) leaves 2 of 4 shards empty.
const CONFIG: RunConfig = { ...DEFAULT_CONFIG, dataset: 'spiral', layers: [32, 16], lr: 0.01, batch: 32, epochs: 1, seed: 5 };

async function run(config: RunConfig, extra: Partial<Parameters<typeof startDataParallel>[0]> = {}) {
  const records: MetricRecord[] = [];
  const handle = await startDataParallel({ config, env: inProcessHost(), emit: (r) => records.push(r), ...extra });
  const last = await handle.finished;
  const checksums = records.filter((r): r is SyncRecord => r.type === 'sync').map((r) => r.checksums);
  return { last, checksums, records };
}

const sha = (last: MetricRecord) => (last.type === 'done' ? last.weightsSha256 : `not done: ${JSON.stringify(last)}`);

describe('ZeRO', () => {
  it('shards fall on 64-float bounds and cover the vector', () => {
    expect(zeroBounds(675, 4)).toEqual([0, 128, 320, 448, 675]);
    expect(zeroBounds(161, 4)).toEqual([0, 0, 64, 64, 161]);
    expect(zeroBounds(161, 1)).toEqual([0, 161]);
  });

  for (const [replicas, allreduce, layers] of [[2, 'ring', [32, 16]], [4, 'ring', [32, 16]], [4, 'star', [32, 16]], [4, 'ring', [13, 7]]] as const) {
    it(`${replicas} replicas (${allreduce}, layers ${layers}): every step's weights and the final weights are zero=0's`, async () => {
      const config = { ...CONFIG, replicas, allreduce, layers: [...layers] };
      const base = await run(config);
      expect(base.checksums).toHaveLength(25);
      for (const zero of [1, 2]) {
        const r = await run({ ...config, zero });
        expect(r.checksums, `zero=${zero}`).toEqual(base.checksums);
        expect(sha(r.last)).toBe(sha(base.last));
        // Ring: a reduce-scatter and an all-gather of float64 chunks, 2K(N−1)/N on average over the ranks as
        // for zero=0's all-reduce; star: the gradient up and a vector of the weights up, 2K each.
        const workers = r.records.filter((w): w is WorkersRecord => w.type === 'workers');
        expect(workers).toHaveLength(25);
        for (const w of workers) expect(w.bytesSent.reduce((a, b) => a + b, 0) / replicas).toBeCloseTo(w.theoryBytes, 6);
        const plain = base.records.find((w): w is WorkersRecord => w.type === 'workers')!;
        if (allreduce === 'star') expect(workers[0].bytesSent).toEqual(plain.bytesSent.map((b) => 2 * b));
        else expect(workers[0].theoryBytes).toBe(plain.theoryBytes);
      }
    });
  }

  // (Not with balance=speed past its first epoch: its shares follow measured times, so two runs cut
  // batches differently and agree to float32 rounding only, whatever the stage.)
  it('with accumulate=4, zero=2 on 2 replicas takes the same steps as zero=0', async () => {
    const config = { ...CONFIG, replicas: 2, accumulate: 4, epochs: 2 };
    const base = await run(config);
    const r = await run({ ...config, zero: 2 });
    expect(r.checksums).toHaveLength(50);
    expect(r.checksums).toEqual(base.checksums);
    expect(sha(r.last)).toBe(sha(base.last));
  });

  it('momentum: zero=1 on 3 replicas takes the same steps as zero=0', async () => {
    const config = { ...CONFIG, replicas: 3, batch: 30, optimizer: 'momentum' as const };
    const base = await run(config);
    const r = await run({ ...config, zero: 1 });
    expect(r.checksums).toEqual(base.checksums);
    expect(sha(r.last)).toBe(sha(base.last));
  });

  for (const zero of [1, 2, 3]) {
    it(`zero=${zero}: the checkpoint is the union of the shards (at 3, of the weights too), and a run resumed from it ends with the uninterrupted checksum`, async () => {
      const config = { ...CONFIG, replicas: 2, epochs: 2 };
      const plain: TrainingState[] = [];
      await run(config, { checkpoint: { every: 10, save: (s) => plain.push(s) } });
      const saved: TrainingState[] = [];
      const full = await run({ ...config, zero }, { checkpoint: { every: 10, save: (s) => saved.push(s) } });
      expect(saved.map((s) => s.step)).toEqual([10, 20, 30, 40, 50]);
      const at20 = saved.find((s) => s.step === 20)!;
      const plain20 = plain.find((s) => s.step === 20)!;
      expect(at20.params).toEqual(plain20.params);
      expect(at20.m).toEqual(plain20.m);
      expect(at20.v).toEqual(plain20.v);
      const resumed = await run({ ...config, zero }, { resumeFrom: at20 });
      expect(resumed.records.find((r) => r.type === 'step')).toMatchObject({ step: 21 });
      expect(resumed.last).toMatchObject({ type: 'done', steps: 50 });
      expect(sha(resumed.last)).toBe(sha(full.last));
    });
  }

  for (const zero of [1, 2, 3]) {
    it(`zero=${zero}: a replica that loses its GPU device at step 20 is replaced, all replay from the state assembled at step 16, and the run ends with the uninterrupted checksum`, async () => {
      const config = { ...CONFIG, replicas: 3, batch: 30, zero };
      const clean = await run(config);
      const devices: GPUDevice[] = [];
      const records: MetricRecord[] = [];
      const handle = await startDataParallel({
        config, env: inProcessHost(async (rank) => (devices[rank] = await requestNodeDevice())), emit: (r) => {
          records.push(r);
          if (r.type === 'step' && r.step === 20 && records.filter((x) => x.type === 'fault').length === 0) devices[1].destroy();
        },
      });
      const last = await handle.finished;
      expect(last.type, JSON.stringify(last)).toBe('done');
      expect(records.find((r) => r.type === 'fault')).toMatchObject({ rank: 1, restartedFrom: 16 });
      expect(sha(last)).toBe(sha(clean.last));
    });
  }

  for (const zero of [1, 3]) {
    it(`zero=${zero}: a NaN gradient on one replica stops the run, keeping the assembled state two steps before it`, async () => {
      const config = { ...CONFIG, replicas: 2, zero };
      // Replica 1's training data turns to NaN after step 5 (as a corrupted upload would): its gradient does
      // (at stage 3, every replica's chunk of each layer's sum with it).
      const devices: GPUDevice[] = [];
      let trainX: GPUBuffer | null = null;
      const env = inProcessHost(async (rank) => {
        const device = (devices[rank] = await requestNodeDevice());
        const create = device.createBuffer.bind(device);
        device.createBuffer = (d) => {
          const buffer = create(d);
          if (rank === 1 && d.label === 'train.x') trainX = buffer;
          return buffer;
        };
        return device;
      });
      const saved: TrainingState[] = [];
      const handle = await startDataParallel({
        config, env, checkpoint: { every: 1, save: (state) => saved.push(state) },
        emit: (r) => {
          if (r.type === 'step' && r.step === 5) devices[1].queue.writeBuffer(trainX!, 0, new Float32Array(trainX!.size / 4).fill(NaN));
        },
      });
      const last = await handle.finished;
      expect(last).toMatchObject({ type: 'stopped', reason: 'diverged' });
      if (last.type !== 'stopped') return;
      const at = last.divergedAt!;
      expect(at).toBeGreaterThan(5);
      expect(last.message).toMatch(new RegExp(`^the gradient diverged at step ${at} \\(NaN on replica 1\\): `));
      expect(last.step).toBe(at - 3);
      const kept = saved.at(-1)!;
      const assembled = saved.find((x) => x.step === at - 3)!;
      for (const k of ['params', 'm', 'v'] as const) {
        expect(kept[k].every(Number.isFinite)).toBe(true);
        expect(kept[k]).toEqual(assembled[k]);
      }
    });
  }

  it('the key takes 0 to 3 (zero3.test.ts), and needs data parallelism with sync=step', () => {
    expect(() => applyOverrides(DEFAULT_CONFIG, [['zero', '4']])).toThrow(/^zero: /);
    expect(() => applyOverrides(DEFAULT_CONFIG, [['zero', '1'], ['mode', 'pipeline']])).toThrow('zero: must be 0 with mode=pipeline');
    expect(() => applyOverrides(DEFAULT_CONFIG, [['zero', '2'], ['replicas', '2'], ['sync', '4']])).toThrow('zero: 2 needs sync=step');
    expect(applyOverrides(DEFAULT_CONFIG, [['zero', '2'], ['replicas', '2']]).zero).toBe(2);
  });
});
