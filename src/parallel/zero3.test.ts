// ZeRO stage 3 on Dawn, replicas served in-process: each replica holds its shard of the weights, gradient and
// optimizer state and one layer at a time, all-gathering each layer's weights before its forward and its
// backward and reduce-scattering its gradient. Every step's losses, the evaluations and the final weights are
// zero=0's, on ring and star, with 2 and 4 replicas (and empty shards); the traffic is 3K(N−1)/N; a model
// refused at zero=0 under memlimit trains at zero=3. Checkpoints, resume, a lost replica and a NaN gradient
// at every stage: zero.test.ts.
import { describe, expect, it } from 'vitest';
import { applyOverrides, DEFAULT_CONFIG, type RunConfig } from '../core/config';
import { loadDataset } from '../core/datasets';
import { trainerBuffers } from '../core/memory-plan';
import { layerSizes, modelLayout } from '../core/model';
import type { MetricRecord, WorkersRecord } from '../core/metrics';
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
