// Data parallelism on Dawn, replicas served in-process over MessageChannels: 2 and 4 replicas with
// sync=step train exactly like one device with the same global batch; with droplast=1 so do 1 to 4
// replicas over whole epochs of a set the batch does not divide; ring and star agree; replicas stay in
// sync; the shard assignment covers each global batch, and names the repeats that pad an epoch.
import { describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG, type RunConfig } from '../core/config';
import type { DoneRecord, MetricRecord, ShardRecord, StepRecord } from '../core/metrics';
import { batchIndices, epochOrder } from '../core/sampler';
import { requestNodeDevice } from '../gpu/dawn';
import type { TrainingState } from '../gpu/train-run';
import { relativeError } from '../gpu/testing';
import { startDataParallel } from './data-coordinator';
import type { MemberHost } from './members';
import type { Endpoint } from './ports';
import { serveReplica } from './replica';
import { readAsset, trainOneDevice } from './testing';

interface InProcessEnv extends MemberHost {
  /**
   * Kills replica `rank` of the latest generation: it stops answering, and its worker reports the crash
   * (or, silently, as a terminated Web Worker does, it just goes quiet).
   */
  kill(rank: number, silently?: boolean): void;
}

/** Replicas in this thread, each with its own Dawn device, talking over real MessagePorts. */
function inProcessEnv(deviceFor: (rank: number) => Promise<GPUDevice> = requestNodeDevice): InProcessEnv {
  const live = new Map<number, { ports: MessagePort[]; crash: (message: string) => void }>();
  return {
    spawn(rank) {
      const { port1, port2 } = new MessageChannel();
      serveReplica({ coordinator: port2 as unknown as Endpoint, requestDevice: () => deviceFor(rank), readAsset });
      port1.start();
      const entry = { ports: [port1, port2], crash: (_message: string) => {} };
      live.set(rank, entry);
      return {
        postMessage: (m, transfer) => port1.postMessage(m, transfer ?? []),
        addEventListener: (type, listener) => port1.addEventListener(type, listener),
        terminate: () => port1.close(),
        onCrash: (listener) => { entry.crash = listener; },
      };
    },
    channel: () => new MessageChannel(),
    readAsset,
    kill(rank, silently = false) {
      const entry = live.get(rank)!;
      entry.ports.forEach((p) => p.close());
      if (!silently) entry.crash('terminated');
    },
  };
}

const CONFIG: RunConfig = {
  ...DEFAULT_CONFIG, dataset: 'spiral', layers: [13, 7], lr: 0.01, batch: 32, epochs: 1, seed: 5,
};

async function parallel(config: RunConfig, env = inProcessEnv(), onRecord: (r: MetricRecord) => void = () => {}, heartbeatMs?: number) {
  const records: MetricRecord[] = [];
  const run = await startDataParallel({ config, env, heartbeatMs, emit: (r) => { records.push(r); onRecord(r); } });
  const last = await run.finished;
  return { records, last, params: run.finalParams() };
}

const stepLosses = (records: MetricRecord[]) => records.filter((r): r is StepRecord => r.type === 'step').map((r) => r.loss);

describe('data parallel, sync=step', () => {
  it('2 and 4 replicas (ring and star) match one device at each of the 25 steps of an epoch of whole batches (800 = 25 × 32)', async () => {
    const one = await trainOneDevice(CONFIG);
    const oneLosses = stepLosses(one.records);
    expect(oneLosses).toHaveLength(25);
    const results = new Map<string, Awaited<ReturnType<typeof parallel>>>();
    for (const [replicas, allreduce] of [[2, 'ring'], [4, 'ring'], [4, 'star']] as const) {
      const r = await parallel({ ...CONFIG, replicas, allreduce });
      results.set(`${replicas}-${allreduce}`, r);
      expect(r.last.type, JSON.stringify(r.last)).toBe('done');
      const losses = stepLosses(r.records);
      expect(losses).toHaveLength(oneLosses.length);
      losses.forEach((loss, i) => expect(Math.abs(loss - oneLosses[i]) / oneLosses[i], `${replicas} ${allreduce}: step ${i + 1} of 25`).toBeLessThan(1e-5));
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

  it('each step, the replicas\' shards are the strided split of the single-device global batch; step 27 of 27 holds the one repeat that pads the epoch', async () => {
    const r = await parallel({ ...CONFIG, replicas: 3, batch: 30, epochs: 1 });
    const order = epochOrder(CONFIG.seed, 1, 800);
    const shards = r.records.filter((x): x is ShardRecord => x.type === 'shard');
    // 800 samples padded to 801 for 3 replicas: 27 global batches, the last of 21 rows, whose 21st
    // (rank 2's 7th) repeats the epoch's first sample.
    expect(shards.length).toBe(27);
    shards.forEach((s, t) => {
      const global = [...batchIndices(Uint32Array.from([...order, order[0]]), 30, t)];
      s.ids.forEach((ids, k) => expect(ids).toEqual(global.filter((_, i) => i % 3 === k)));
      expect(s.padded, `step ${t + 1}`).toEqual(t === 26 ? [[], [], [6]] : undefined);
    });
    expect(shards[26].ids[2][6]).toBe(order[0]);
  });
});

describe('data parallel, sync=step, droplast=1', () => {
  // 800 points in batches of 70: 11 whole batches an epoch, the 30 left over dropped; 70 rows split
  // 35+35, 24+23+23 and 18+18+17+17.
  const config: RunConfig = { ...CONFIG, layers: [6], batch: 70, epochs: 2, droplast: 1 };
  const STEPS = 22;

  it('1, 2, 3 and 4 replicas (ring and star) equal one device at every step 1–22 of 2 epochs (11 whole batches of 70 each)', async () => {
    const one = await trainOneDevice(config);
    const base = one.records.filter((x): x is StepRecord => x.type === 'step');
    expect(base.map((x) => x.epoch)).toEqual([...Array(11).fill(1), ...Array(11).fill(2)]);
    const oneSha = one.records.find((x): x is DoneRecord => x.type === 'done')!.weightsSha256;
    const sha = new Map<string, string>();
    for (const [replicas, allreduce] of [[1, 'ring'], [2, 'ring'], [2, 'star'], [3, 'ring'], [3, 'star'], [4, 'ring'], [4, 'star']] as const) {
      const what = `${replicas} ${allreduce}`;
      const r = await parallel({ ...config, replicas, allreduce });
      expect(r.last.type, `${what}: ${JSON.stringify(r.last)}`).toBe('done');
      const steps = r.records.filter((x): x is StepRecord => x.type === 'step');
      expect(steps.map((x) => x.step), what).toEqual(base.map((x) => x.step));
      steps.forEach((x, i) => expect(Math.abs(x.loss - base[i].loss) / base[i].loss, `${what}: step ${x.step} of ${STEPS} (epoch ${x.epoch})`).toBeLessThan(1e-5));
      expect(relativeError(r.params!, one.params), `${what}: final weights after step ${STEPS}`).toBeLessThan(1e-5);
      if (r.last.type === 'done') sha.set(what, r.last.weightsSha256);
      const shards = r.records.filter((x): x is ShardRecord => x.type === 'shard');
      expect(shards.length, what).toBe(replicas > 1 ? STEPS : 0);
      expect(shards.every((x) => x.ids.flat().length === 70 && x.padded === undefined), what).toBe(true);
    }
    // One replica is one device's run, bit for bit; ring and star give the same bits.
    expect(sha.get('1 ring')).toBe(oneSha);
    for (const replicas of [2, 3, 4]) expect(sha.get(`${replicas} star`), `${replicas} replicas`).toBe(sha.get(`${replicas} ring`));
  });
});

describe('faults', () => {
  it('a replica that cannot get a GPU device is named, and no step runs', async () => {
    const env = inProcessEnv((rank) => (rank === 2 ? Promise.reject(new Error('no adapter')) : requestNodeDevice()));
    const r = await parallel({ ...CONFIG, replicas: 3, batch: 30 }, env);
    expect(r.last).toMatchObject({ type: 'stopped', reason: 'error', step: 0 });
    if (r.last.type === 'stopped') expect(r.last.message).toBe('replica 2 could not start, so the run did not start: no adapter');
    expect(r.records.filter((x) => x.type === 'step')).toHaveLength(0);
  });

  it('a replica that loses its GPU device mid-run is replaced from a survivor, ending with the uninterrupted checksum', async () => {
    const config = { ...CONFIG, replicas: 2 };
    const clean = await parallel(config);
    const devices: GPUDevice[] = [];
    const env = inProcessEnv(async (rank) => (devices[rank] = await requestNodeDevice()));
    let destroyed = false;
    const r = await parallel(config, env, (record) => {
      if (record.type === 'step' && record.step === 3 && !destroyed) {
        destroyed = true;
        devices[1].destroy();
      }
    });
    expect(r.last.type, JSON.stringify(r.last)).toBe('done');
    const fault = r.records.find((x) => x.type === 'fault');
    expect(fault).toMatchObject({ rank: 1 });
    if (fault?.type === 'fault') expect(fault.restartedFrom).toBeGreaterThanOrEqual(3);
    expect(r.last.type === 'done' && clean.last.type === 'done' && r.last.weightsSha256 === clean.last.weightsSha256).toBe(true);
    const steps = r.records.filter((x) => x.type === 'step').map((x) => x.step);
    expect(new Set(steps).size).toBe(steps.length);
  });

  it('a terminated replica is replaced from a survivor, ending with the uninterrupted checksum', async () => {
    const config = { ...CONFIG, replicas: 3, batch: 30, allreduce: 'star' as const };
    const clean = await parallel(config);
    const env = inProcessEnv();
    let killed = false;
    const r = await parallel(config, env, (record) => {
      if (record.type === 'step' && record.step === 5 && !killed) {
        killed = true;
        env.kill(2);
      }
    });
    expect(r.last.type, JSON.stringify(r.last)).toBe('done');
    expect(r.records.find((x) => x.type === 'fault')).toMatchObject({ rank: 2, message: 'replica 2 crashed: terminated' });
    expect(r.last.type === 'done' && clean.last.type === 'done' && r.last.weightsSha256 === clean.last.weightsSha256).toBe(true);
  });

  it('a replica that goes silent is noticed by the heartbeat and replaced', async () => {
    const config = { ...CONFIG, replicas: 2, epochs: 2 };
    const clean = await parallel(config);
    const env = inProcessEnv();
    let killed = false;
    const r = await parallel(config, env, (record) => {
      if (record.type === 'step' && record.step === 4 && !killed) {
        killed = true;
        env.kill(0, true);
      }
    }, 250);
    expect(r.records.find((x) => x.type === 'fault')).toMatchObject({ rank: 0, message: 'replica 0 stopped answering for 0.75 s (a hung or ended worker, or a computer asleep or off the network)' });
    expect(r.last.type === 'done' && clean.last.type === 'done' && r.last.weightsSha256 === clean.last.weightsSha256).toBe(true);
  });

  // Epoch 1 ends at step 25: a failure at step 26 replays across its evaluation.
  for (const [fault, allreduce, failAt] of [['loses its GPU device', 'ring', 26], ['is terminated', 'star', 31]] as const) {
    it(`with local SGD, a replica that ${fault} mid-run: all roll back to the last synchronisation, replay, and end with the uninterrupted checksum`, async () => {
      const config = { ...CONFIG, replicas: 2, sync: 4, allreduce, epochs: 2 };
      const clean = await parallel(config);
      const devices: GPUDevice[] = [];
      const env = inProcessEnv(async (rank) => (devices[rank] = await requestNodeDevice()));
      let failed = false;
      const r = await parallel(config, env, (record) => {
        if (record.type === 'step' && record.step === failAt && !failed) {
          failed = true;
          if (fault === 'is terminated') env.kill(1);
          else devices[1].destroy();
        }
      });
      expect(r.last.type, JSON.stringify(r.last)).toBe('done');
      const faultRecord = r.records.find((x) => x.type === 'fault');
      expect(faultRecord).toMatchObject({ rank: 1 });
      if (faultRecord?.type === 'fault') {
        expect(faultRecord.restartedFrom % 4).toBe(0);
        expect(faultRecord.restartedFrom).toBeGreaterThanOrEqual(Math.floor(failAt / 4) * 4);
        expect(faultRecord.restartedFrom).toBeLessThanOrEqual(faultRecord.step);
      }
      expect(r.last.type === 'done' && clean.last.type === 'done' && r.last.weightsSha256 === clean.last.weightsSha256).toBe(true);
      // Replayed steps are not reported twice, and they are the steps the clean run took.
      const steps = (records: MetricRecord[]) => records.filter((x): x is StepRecord => x.type === 'step');
      expect(steps(r.records).map((x) => x.step)).toEqual(steps(clean.records).map((x) => x.step));
      expect(steps(r.records).map((x) => x.loss)).toEqual(steps(clean.records).map((x) => x.loss));
      expect(r.records.filter((x) => x.type === 'eval').map((x) => x.type === 'eval' && x.epoch)).toEqual([1, 2]);
    });
  }
});

describe('divergence', () => {
  it('a NaN gradient on one replica stops the run naming that replica, keeping the last good state', async () => {
    const config = { ...CONFIG, replicas: 2 };
    // Replica 1's training data turns to NaN mid-run (as a corrupted upload would): its gradient does.
    const devices: GPUDevice[] = [];
    let trainX: GPUBuffer | null = null;
    const env = inProcessEnv(async (rank) => {
      const device = (devices[rank] = await requestNodeDevice());
      if (rank === 1) {
        const create = device.createBuffer.bind(device);
        device.createBuffer = (d) => {
          const buffer = create(d);
          if (d.label === 'train.x') trainX = buffer;
          return buffer;
        };
      }
      return device;
    });
    const saved: TrainingState[] = [];
    const records: MetricRecord[] = [];
    const run = await startDataParallel({
      config, env, checkpoint: { every: 1, save: (state) => saved.push(state) },
      emit: (r) => {
        records.push(r);
        if (r.type === 'step' && r.step === 5) devices[1].queue.writeBuffer(trainX!, 0, new Float32Array(trainX!.size / 4).fill(NaN));
      },
    });
    const last = await run.finished;
    expect(last.type).toBe('stopped');
    if (last.type !== 'stopped') return;
    expect(last.reason).toBe('diverged');
    const at = last.divergedAt!;
    expect(at).toBeGreaterThan(5);
    expect(last.message).toMatch(new RegExp(`^the gradient diverged at step ${at} \\(NaN on replica 1\\): `));
    expect(last.message).toContain(`after step ${last.step}, the last verified good, are kept: lower the learning rate, e.g. to 0.001, and resume`);
    // The state kept is the one every replica had after that step, as rank 0's checkpoint saved it then.
    expect(last.step).toBeGreaterThanOrEqual(at - 4);
    expect(last.step).toBeLessThanOrEqual(at - 3);
    const kept = saved.at(-1)!;
    const before = saved.find((x) => x.step === kept.step)!;
    expect(kept).not.toBe(before);
    for (const k of ['params', 'm', 'v'] as const) {
      expect(kept[k].every(Number.isFinite)).toBe(true);
      expect(Buffer.from(kept[k].buffer).equals(Buffer.from(before[k].buffer))).toBe(true);
    }
    expect(records.filter((x) => x.type === 'step').at(-1)).toMatchObject({ step: at - 1 });
  });

  it('2 replicas that really diverge keep a good state, and resuming it with a lower learning rate finishes', async () => {
    const config: RunConfig = {
      ...DEFAULT_CONFIG, dataset: 'gauss', layers: Array(8).fill(32), optimizer: 'momentum', lr: 0.3, batch: 16, epochs: 3, replicas: 2,
    };
    const saved: TrainingState[] = [];
    const run = await startDataParallel({ config, env: inProcessEnv(), emit: () => {}, checkpoint: { every: 1_000_000, save: (s) => saved.push(s) } });
    const last = await run.finished;
    expect(last).toMatchObject({ type: 'stopped', reason: 'diverged' });
    if (last.type !== 'stopped') return;
    expect(last.message).toMatch(/^the (gradient|loss) diverged at step \d+ \((NaN|-?Infinity) on replicas? [01]/);
    const kept = saved.at(-1)!;
    expect(kept.step).toBe(last.step);
    expect(kept.params.every(Number.isFinite)).toBe(true);
    const records: MetricRecord[] = [];
    const resumed = await startDataParallel({ config: { ...config, lr: 0.03 }, env: inProcessEnv(), emit: (r) => records.push(r), resumeFrom: kept });
    expect(await resumed.finished).toMatchObject({ type: 'done', steps: 150 });
    expect(records.find((r) => r.type === 'step')).toMatchObject({ step: kept.step + 1 });
  });
});

describe('checkpoints through the coordinator', () => {
  for (const replicas of [1, 2]) {
    it(`replicas=${replicas}: a run resumed from a mid-run checkpoint ends with the uninterrupted checksum`, async () => {
      const config = { ...CONFIG, replicas, epochs: 2 };
      const saved: TrainingState[] = [];
      const run = await startDataParallel({ config, env: inProcessEnv(), emit: () => {}, checkpoint: { every: 10, save: (s) => saved.push(s) } });
      const full = await run.finished;
      expect(saved.length).toBeGreaterThanOrEqual(4);
      expect(saved.every((s) => s.step % 10 === 0)).toBe(true);
      const from = saved.find((s) => s.step === 20)!;
      const records: MetricRecord[] = [];
      const resumed = await startDataParallel({ config, env: inProcessEnv(), emit: (r) => records.push(r), resumeFrom: from });
      const last = await resumed.finished;
      expect(records.find((r) => r.type === 'step')).toMatchObject({ step: 21 });
      expect(last).toMatchObject({ type: 'done', steps: 50 });
      expect(full.type === 'done' && last.type === 'done' && last.weightsSha256 === full.weightsSha256).toBe(true);
    });
  }
});

describe('local SGD (sync=k) with non-IID shards', () => {
  it('shard=label, sync=8 drifts apart between syncs and ends worse than sync=step on MNIST', async () => {
    const base: RunConfig = { ...DEFAULT_CONFIG, replicas: 2, shard: 'label', batch: 64, epochs: 1 };
    const local = await parallel({ ...base, sync: 8 });
    const ddp = await parallel({ ...base, sync: 'step' });
    expect(local.last.type).toBe('done');
    expect(ddp.last.type).toBe('done');
    if (local.last.type !== 'done' || ddp.last.type !== 'done') return;
    const syncs = local.records.filter((r) => r.type === 'sync');
    // 141 steps: a sync at steps 8, 16, …, 136 and at the last step.
    expect(syncs.map((r) => r.step)).toEqual([...Array.from({ length: 17 }, (_, i) => 8 * (i + 1)), 141]);
    for (const s of syncs) {
      if (s.type !== 'sync') continue;
      expect(s.inSync).toBe(true);
      expect(Math.min(...s.drift!)).toBeGreaterThan(1e-3);
    }
    console.log(`MNIST 2 replicas, shard=label, batch 64, 1 epoch: test accuracy sync=step ${ddp.last.testAccuracy}, sync=8 ${local.last.testAccuracy}`);
    expect(ddp.last.testAccuracy - local.last.testAccuracy).toBeGreaterThan(0.02);
  });
});
