// Data parallelism on Dawn, replicas served in-process over MessageChannels: 2 and 4 replicas with
// sync=step train exactly like one device with the same global batch; ring and star agree; replicas
// stay in sync; the shard assignment covers each global batch.
import { describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG, type RunConfig } from '../core/config';
import { loadDataset } from '../core/datasets';
import type { MetricRecord, StepRecord } from '../core/metrics';
import { batchIndices, epochOrder } from '../core/sampler';
import { requestNodeDevice } from '../gpu/dawn';
import { runTraining } from '../gpu/train-run';
import { relativeError } from '../gpu/testing';
import { startDataParallel, type CoordinatorEnv } from './coordinator';
import type { Endpoint } from './ports';
import { serveReplica } from './replica';

const readAsset = (): Promise<Uint8Array> => Promise.reject(new Error('2-D data sets need no files'));

/** Replicas in this thread, each with its own Dawn device, talking over real MessagePorts. */
function inProcessEnv(): CoordinatorEnv {
  return {
    spawn() {
      const { port1, port2 } = new MessageChannel();
      serveReplica({ coordinator: port2 as unknown as Endpoint, requestDevice: requestNodeDevice, readAsset });
      port1.start();
      return {
        postMessage: (m, transfer) => port1.postMessage(m, transfer ?? []),
        addEventListener: (type, listener) => port1.addEventListener(type, listener),
        terminate: () => port1.close(),
        onCrash: () => {},
      };
    },
    channel: () => new MessageChannel(),
    readAsset,
  };
}

const CONFIG: RunConfig = {
  ...DEFAULT_CONFIG, dataset: 'spiral', layers: [13, 7], lr: 0.01, batch: 32, epochs: 1, seed: 5,
};

async function single(config: RunConfig) {
  const records: MetricRecord[] = [];
  let params: Float32Array | null = null;
  const dataset = await loadDataset(config.dataset, config.seed, readAsset);
  await runTraining({ device: await requestNodeDevice(), config, dataset, emit: (r) => records.push(r), onFinalParams: (p) => { params = p; } });
  return { records, params: params! };
}

async function parallel(config: RunConfig) {
  const records: MetricRecord[] = [];
  const run = await startDataParallel({ config, env: inProcessEnv(), emit: (r) => records.push(r) });
  const last = await run.finished;
  return { records, last, params: run.finalParams() };
}

const stepLosses = (records: MetricRecord[]) => records.filter((r): r is StepRecord => r.type === 'step').map((r) => r.loss);

describe('data parallel, sync=step', () => {
  it('2 and 4 replicas (ring and star) match one device step by step', async () => {
    const one = await single(CONFIG);
    const oneLosses = stepLosses(one.records);
    expect(oneLosses).toHaveLength(25);
    const results = new Map<string, Awaited<ReturnType<typeof parallel>>>();
    for (const [replicas, allreduce] of [[2, 'ring'], [4, 'ring'], [4, 'star']] as const) {
      const r = await parallel({ ...CONFIG, replicas, allreduce });
      results.set(`${replicas}-${allreduce}`, r);
      expect(r.last.type, JSON.stringify(r.last)).toBe('done');
      const losses = stepLosses(r.records);
      expect(losses).toHaveLength(oneLosses.length);
      losses.forEach((loss, i) => expect(Math.abs(loss - oneLosses[i]) / oneLosses[i], `step ${i + 1}`).toBeLessThan(1e-5));
      expect(relativeError(r.params!, one.params)).toBeLessThan(1e-5);
      const syncs = r.records.filter((x) => x.type === 'sync');
      expect(syncs).toHaveLength(25);
      expect(syncs.every((x) => x.type === 'sync' && x.inSync && x.checksums.length === replicas)).toBe(true);
      const steps = r.records.filter((x): x is StepRecord => x.type === 'step');
      expect(steps.every((s) => s.replicaLoss?.length === replicas)).toBe(true);
    }
    const ring = results.get('4-ring')!.last;
    const star = results.get('4-star')!.last;
    expect(ring.type === 'done' && star.type === 'done' && ring.weightsSha256 === star.weightsSha256).toBe(true);
  });

  it('each step, the replicas\' shards are the strided split of the single-device global batch', async () => {
    const r = await parallel({ ...CONFIG, replicas: 3, batch: 30, epochs: 1 });
    const order = epochOrder(CONFIG.seed, 1, 800);
    const shards = r.records.filter((x) => x.type === 'shard');
    // 800 samples padded to 801 for 3 replicas: 27 global batches, the last of 21 rows.
    expect(shards.length).toBe(27);
    shards.forEach((s, t) => {
      if (s.type !== 'shard') return;
      const global = [...batchIndices(Uint32Array.from([...order, order[0]]), 30, t)];
      s.ids.forEach((ids, k) => expect(ids).toEqual(global.filter((_, i) => i % 3 === k)));
    });
  });
});
