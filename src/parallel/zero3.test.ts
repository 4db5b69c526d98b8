// ZeRO stage 3 on Dawn, replicas served in-process: each replica holds its shard of the weights, gradient and
// optimizer state and one layer at a time, all-gathering each layer's weights before its forward and its
// backward and reduce-scattering its gradient. Every step's losses, the evaluations and the final weights are
// zero=0's, on ring and star, with 2 and 4 replicas (and empty shards); the traffic is 3K(N−1)/N; the
// checkpoint is the union of the shards, and a resumed run or one that lost a replica ends with the
// uninterrupted checksum; a NaN gradient stops the run with the state assembled before it; a model refused
// at zero=0 under memlimit trains at zero=3.
import { describe, expect, it } from 'vitest';
import { applyOverrides, DEFAULT_CONFIG, type RunConfig } from '../core/config';
import { loadDataset } from '../core/datasets';
import { trainerBuffers } from '../core/memory-plan';
import { layerSizes, modelLayout } from '../core/model';
import type { MetricRecord, WorkersRecord } from '../core/metrics';
import { requestNodeDevice } from '../gpu/dawn';
import type { TrainingState } from '../gpu/train-run';
import { startDataParallel } from './data-coordinator';
import { EVAL_CHUNK } from '../gpu/trainer';
import { inProcessHost, readAsset } from './testing';

const CONFIG: RunConfig = { ...DEFAULT_CONFIG, dataset: 'spiral', layers: [32, 16], lr: 0.01, batch: 32, epochs: 1, seed: 5 };

async function run(config: RunConfig, extra: Partial<Parameters<typeof startDataParallel>[0]> = {}) {
  const records: MetricRecord[] = [];
  const handle = await startDataParallel({ config, env: inProcessHost(), emit: (r) => records.push(r), ...extra });
  const last = await handle.finished;
  const losses = records.flatMap((r) => (r.type === 'step' ? [[r.step, r.loss, ...r.replicaLoss!]] : []));
  const evals = records.filter((r) => r.type === 'eval');
  return { last, losses, evals, records };
}

const sha = (last: MetricRecord) => (last.type === 'done' ? last.weightsSha256 : `not done: ${JSON.stringify(last)}`);

describe('ZeRO stage 3', () => {
  for (const [replicas, allreduce, layers] of [[2, 'ring', [32, 16]], [4, 'ring', [32, 16]], [4, 'star', [32, 16]], [4, 'ring', [13, 7]]] as const) {
    it(`${replicas} replicas (${allreduce}, layers ${layers}): every step's losses, the evaluation and the final weights are zero=0's`, async () => {
      const config = { ...CONFIG, replicas, allreduce, layers: [...layers] };
      const base = await run(config);
      const r = await run({ ...config, zero: 3 });
      expect(base.losses).toHaveLength(25);
      expect(r.losses).toEqual(base.losses);
      expect(r.evals).toEqual(base.evals.map((e) => ({ ...e })));
      expect(sha(r.last)).toBe(sha(base.last));
      // Two all-gathers of the weights and a reduce-scatter of the gradient a step.
      const workers = r.records.filter((w): w is WorkersRecord => w.type === 'workers');
      const plain = base.records.find((w): w is WorkersRecord => w.type === 'workers')!;
      expect(workers).toHaveLength(25);
      for (const w of workers) expect(w.bytesSent.reduce((a, b) => a + b, 0) / replicas).toBeCloseTo(w.theoryBytes, 6);
      if (allreduce === 'ring') expect(workers[0].theoryBytes).toBeCloseTo(1.5 * plain.theoryBytes, 6);
      else expect(workers[0].bytesSent).toEqual(plain.bytesSent.map((b) => 3 * b));
    });
  }

  it('the checkpoint is the union of the shards (weights too), and a run resumed from it ends with the uninterrupted checksum', async () => {
    const config = { ...CONFIG, replicas: 2, epochs: 2 };
    const plain: TrainingState[] = [];
    await run(config, { checkpoint: { every: 10, save: (s) => plain.push(s) } });
    const saved: TrainingState[] = [];
    const full = await run({ ...config, zero: 3 }, { checkpoint: { every: 10, save: (s) => saved.push(s) } });
    expect(saved.map((s) => s.step)).toEqual([10, 20, 30, 40, 50]);
    const at20 = saved.find((s) => s.step === 20)!;
    const plain20 = plain.find((s) => s.step === 20)!;
    expect(at20.params).toEqual(plain20.params);
    expect(at20.m).toEqual(plain20.m);
    expect(at20.v).toEqual(plain20.v);
    const resumed = await run({ ...config, zero: 3 }, { resumeFrom: at20 });
    expect(resumed.records.find((r) => r.type === 'step')).toMatchObject({ step: 21 });
    expect(resumed.last).toMatchObject({ type: 'done', steps: 50 });
    expect(sha(resumed.last)).toBe(sha(full.last));
  });

  it('a replica that loses its GPU device at step 20 is replaced, all replay from the state assembled at step 16, and the run ends with the uninterrupted checksum', async () => {
    const config = { ...CONFIG, replicas: 3, batch: 30, zero: 3 };
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

  it('a NaN gradient on one replica stops the run, keeping the assembled state two steps before it', async () => {
    const config = { ...CONFIG, replicas: 2, zero: 3 };
    // Replica 1's training data turns to NaN after step 5 (as a corrupted upload would): its gradient does, and
    // every replica's chunk of each layer's sum with it.
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
    expect(last.step).toBe(at - 3);
    const kept = saved.find((x) => x.step === at - 3)!;
    for (const k of ['params', 'm', 'v'] as const) expect(kept[k].every(Number.isFinite)).toBe(true);
  });

  it('a model over memlimit at zero=0 is refused naming the limit, and trains at zero=3 on 4 replicas to zero=0\'s weights', async () => {
    const config = { ...CONFIG, layers: [256, 256], replicas: 4, epochs: 1 };
    const dataset = await loadDataset(config.dataset, config.seed, readAsset);
    const layout = modelLayout(layerSizes(config, dataset.inputs, dataset.classes));
    const planned = (zero: number) => trainerBuffers({
      layout, maxRows: Math.max(config.batch, Math.min(EVAL_CHUNK, dataset.test.n)), accumulate: 1, trainSamples: dataset.train.n, testSamples: dataset.test.n,
      staging: true, backups: zero === 0, zero: zero ? { stage: zero, rank: 0, world: 4 } : undefined,
    }).reduce((s, b) => s + b.bytes, 0);
    // Halfway between the plans: the model state of zero=0 (weights, gradients, Adam, backups) is over, stage 3's shards are not.
    const memlimit = Math.round(((planned(0) + planned(3)) / 2 / 2 ** 20) * 100) / 100;
    expect(planned(3)).toBeLessThan(0.5 * planned(0));
    const refused = await run({ ...config, memlimit });
    expect(refused.last.type).toBe('stopped');
    expect(JSON.stringify(refused.last)).toMatch(new RegExp(`model too large: needs [\\d.]+ MiB of GPU memory in all, over memlimit, the limit of ${memlimit.toFixed(memlimit < 10 ? 2 : 1)} MiB`));
    const sharded = await run({ ...config, memlimit, zero: 3 });
    expect(sharded.last).toMatchObject({ type: 'done', steps: 25 });
    expect(sha(sharded.last)).toBe(sha((await run(config)).last));
  });

  it('the key takes 0 to 3; stage 3 takes accumulate > 1 and recompute=1 (zero3-accumulate.test.ts)', () => {
    expect(() => applyOverrides(DEFAULT_CONFIG, [['zero', '4']])).toThrow(/^zero: /);
    expect(applyOverrides(DEFAULT_CONFIG, [['zero', '3'], ['replicas', '2']]).zero).toBe(3);
    expect(applyOverrides(DEFAULT_CONFIG, [['zero', '3'], ['replicas', '2'], ['accumulate', '2']]).accumulate).toBe(2);
    expect(applyOverrides(DEFAULT_CONFIG, [['zero', '3'], ['replicas', '2'], ['recompute', '1']]).recompute).toBe(1);
  });
});
