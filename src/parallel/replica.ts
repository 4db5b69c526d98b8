// One data-parallel replica: its own GPUDevice and trainer, its shard of every global batch, and the
// all-reduce with the other replicas. Transport-agnostic: a Web Worker and a worker_thread both call
// serveReplica with their own device, data loader and port to the coordinator. An init with a `part`
// makes the worker a model-parallel one instead (part-worker.ts).
import { paramsFingerprint, weightsSha256 } from '../core/checksum';
import { loadDataset, type Dataset } from '../core/datasets';
import { firstNonFinite, LossWatch, type PhaseTimes } from '../core/metrics';
import { layerSizes, modelLayout } from '../core/model';
import { relativeError } from '../core/reference';
import { epochPlan, shardSpec } from '../core/sharding';
import { runClock, RunSwitch, runTraining, type TrainingState } from '../gpu/train-run';
import { GPU_TIMER_BYTES, GpuTimer } from '../gpu/gpu-timer';
import { StateBackup } from '../gpu/state-backup';
import { createTrainer, EVAL_CHUNK } from '../gpu/trainer';
import { LOSS_STATS_BYTES, decodeLossStats } from '../gpu/softmax-ce';
import { ringAllreduce, type AllreduceResult, type RingMessage } from './allreduce';
import { trainPart } from './part-worker';
import { Inbox, type Endpoint } from './ports';
import type { FromReplica, StepReport, ToReplica } from './replica-protocol';

export interface ReplicaEnv {
  coordinator: Endpoint;
  requestDevice(): Promise<GPUDevice>;
  readAsset(file: string): Promise<Uint8Array>;
}

type Init = Extract<ToReplica, { type: 'init' }>;

export function serveReplica(env: ReplicaEnv): void {
  const control = new RunSwitch();
  const inbox = new Inbox<ToReplica>(env.coordinator, (m) => m.type === 'init' || m.type === 'go' || m.type === 'star');
  env.coordinator.addEventListener('message', (event) => {
    const m = event.data as ToReplica;
    if (m.type === 'pause') control.pause();
    else if (m.type === 'resume') control.resume();
    else if (m.type === 'step') control.stepOnce();
    else if (m.type === 'stop') control.stop();
    else if (m.type === 'ping') env.coordinator.postMessage({ type: 'pong', rank: rankOf() } satisfies FromReplica);
    else if (m.type === 'state') {
      void control.state().then((state) => env.coordinator.postMessage(
        { type: 'state', rank: rankOf(), id: m.id, state } satisfies FromReplica,
        state ? [state.params.buffer, state.m.buffer, state.v.buffer] : [],
      ));
    } else if (m.type === 'snapshot') {
      void control.snapshot().then((snap) => env.coordinator.postMessage(
        { type: 'snapshot', rank: rankOf(), id: m.id, snapshot: snap } satisfies FromReplica,
        snap ? [snap.params.buffer] : [],
      ));
    }
  });
  let rank = -1;
  const rankOf = () => rank;
  void inbox.next((m) => m.type === 'init').then((m) => {
    rank = (m as Init).rank;
    return run(env, m as Init, inbox, control);
  });
}

async function run(env: ReplicaEnv, init: Init, inbox: Inbox<ToReplica>, control: RunSwitch): Promise<void> {
  const post = (m: FromReplica, transfer: Transferable[] = []) => env.coordinator.postMessage(m, transfer);
  const { rank } = init;
  try {
    const [device, dataset] = await Promise.all([
      env.requestDevice(),
      loadDataset(init.config.dataset, init.config.seed, env.readAsset),
    ]);
    const info = device.adapterInfo;
    /** Tells the coordinator this replica can train, and waits until every replica can. */
    const ready = async () => {
      post({ type: 'ready', rank, adapter: [info.vendor, info.architecture, info.description].filter(Boolean).join(' ') || 'WebGPU adapter' });
      await inbox.next((m) => m.type === 'go');
    };
    if (init.part) {
      // A model-parallel worker hands its part back; the coordinator assembles and checksums the model.
      const part = await trainPart(device, init, dataset, control, post, ready);
      post({ type: 'finished', rank, weightsSha256: null, params: part ?? undefined }, part ? [part.buffer] : []);
      return;
    }
    const params = init.world === 1
      ? await ready().then(() => trainAlone(device, init, dataset, control, post))
      : await trainReplica(device, init, dataset, control, inbox, post, ready);
    const layout = modelLayout(layerSizes(init.config, dataset.inputs, dataset.classes));
    const weightsSha = params ? await weightsSha256(layout, params) : null;
    post({ type: 'finished', rank, weightsSha256: weightsSha, params: rank === 0 && params ? params : undefined }, params && rank === 0 ? [params.buffer] : []);
  } catch (e) {
    post({ type: 'error', rank, message: e instanceof Error ? e.message : String(e) });
  }
}

const stateTransfer = (s: TrainingState) => [s.params.buffer, s.m.buffer, s.v.buffer];

/** One replica is single-device training: the fast loop with no per-step readback. */
async function trainAlone(
  device: GPUDevice, init: Init, dataset: Dataset, control: RunSwitch, post: (m: FromReplica, transfer?: Transferable[]) => void,
): Promise<Float32Array | null> {
  let params: Float32Array | null = null;
  const every = init.checkpointEvery;
  await runTraining({
    device, config: init.config, dataset, control, startedAt: init.startedAt,
    emit: (record) => post({ type: 'metric', rank: 0, record }),
    onFinalParams: (p) => { params = p; },
    resumeFrom: init.resume && { ...init.resume, params: init.initialParams },
    checkpoint: every ? { every, save: async (state) => post({ type: 'checkpoint', rank: 0, state }, stateTransfer(state)) } : undefined,
  });
  return params;
}

/** Maps a reusable staging buffer and copies out its bytes. */
async function readStaging(staging: GPUBuffer, size: number): Promise<ArrayBuffer> {
  await staging.mapAsync(GPUMapMode.READ, 0, size);
  const bytes = staging.getMappedRange(0, size).slice(0);
  staging.unmap();
  return bytes;
}

/**
 * Trains this rank's shards in step with the other replicas; resolves with the final weights. The
 * trainer is built and its pipelines compiled before `ready`, so once training starts the worker's
 * thread never blocks long (the coordinator's heartbeat relies on it).
 */
async function trainReplica(
  device: GPUDevice, init: Init, dataset: Dataset, control: RunSwitch, inbox: Inbox<ToReplica>,
  post: (m: FromReplica, transfer?: Transferable[]) => void, ready: () => Promise<void>,
): Promise<Float32Array | null> {
  const { config, rank, world } = init;
  const layout = modelLayout(layerSizes(config, dataset.inputs, dataset.classes));
  const maxRows = Math.max(config.batch, Math.min(EVAL_CHUNK, dataset.test.n));
  const trainer = await createTrainer(device, { layout, optimizer: config.optimizer, lr: config.lr, maxRows }, dataset, init.initialParams);
  if (init.resume) trainer.restoreOptimizerState(init.resume.m, init.resume.v);
  /** Steps whose update has been submitted: the state the buffers hold once the queue drains. */
  let completed = init.resume?.step ?? 0;
  control.serveSnapshots(async () => ({ step: completed, params: await trainer.readParams() }));
  control.serveState(() => trainer.readState(completed));
  const P = layout.totalFloats;
  const vectorBytes = P * 4;
  const timer = GpuTimer.create(device);
  const statsAt = vectorBytes;
  const timerAt = vectorBytes + LOSS_STATS_BYTES;
  const staging = device.createBuffer({ size: timerAt + GPU_TIMER_BYTES, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
  const spec = shardSpec(config);
  const ring = config.allreduce === 'ring'
    ? { rank, world, left: new Inbox<RingMessage>(init.left as unknown as Endpoint), right: init.right as unknown as Endpoint }
    : null;
  let round = 0;
  const allreduce = async (vector: Float32Array, scale: number): Promise<AllreduceResult> => {
    const r = round++;
    if (ring) return ringAllreduce(vector, r, ring, scale);
    const bytesSent = vector.byteLength;
    post({ type: 'star', rank, round: r, data: vector, scale }, [vector.buffer]);
    const m = await inbox.next((x) => x.type === 'star' && x.round === r);
    return { sum: (m as Extract<ToReplica, { type: 'star' }>).data, bytesSent };
  };
  const syncEvery = config.sync === 'step' ? 1 : config.sync;
  // With gradient all-reduce every replica holds the run's state: each keeps its last good one, judged
  // by its own shard's losses.
  const backup = syncEvery === 1 ? new StateBackup(device, trainer, completed) : null;
  const watch = new LossWatch(config.lr);
  const plans = Array.from({ length: config.epochs }, (_, e) => epochPlan(spec, e + 1, dataset.train.y));
  const totalSteps = plans.reduce((s, p) => s + p.steps, 0);
  const firstRows = plans[0].rankBatch(0, rank).length;
  await trainer.compile(firstRows, syncEvery === 1 ? config.batch : firstRows);
  await ready();

  let t = 0;
  for (let epoch = 1; epoch <= config.epochs; epoch++) {
    const plan = plans[epoch - 1];
    for (let i = 0; i < plan.steps; i++) {
      if (t < completed) {
        t++; // done before a restart
        continue;
      }
      if (control.isPaused) await control.waitWhilePaused();
      if (control.isStopped) return null;
      control.tookStep();
      const ids = plan.rankBatch(i, rank);
      let globalRows = 0;
      for (let k = 0; k < world; k++) globalRows += plan.rankBatch(i, k).length;
      t++;
      const times: PhaseTimes = { computeMs: 0, readbackMs: 0, allreduceMs: 0, updateMs: 0 };
      let mark = performance.now();
      const lap = (phase: keyof PhaseTimes) => {
        const now = performance.now();
        times[phase] += now - mark;
        mark = now;
      };
      let bytesSent = 0;
      let checksum: string | undefined;
      let drift: number | undefined;
      let gpuComputeMs: number | null = null;
      let stats: { lossSum: number; correct: number };
      let nonFinite: StepReport['nonFinite'];
      const encoder = device.createCommandEncoder({ label: `replica ${rank} step ${t}` });
      if (syncEvery === 1) {
        // DDP: gradients of this shard, scaled by 1/global batch, summed over replicas, one update.
        trainer.encodeGradients(encoder, ids, globalRows, timer);
        encoder.copyBufferToBuffer(trainer.grads, 0, staging, 0, vectorBytes);
        encoder.copyBufferToBuffer(trainer.stats, 0, staging, statsAt, LOSS_STATS_BYTES);
        if (timer) encoder.copyBufferToBuffer(timer.resolved, 0, staging, timerAt, GPU_TIMER_BYTES);
        device.queue.submit([encoder.finish()]);
        backup!.save(t - 1);
        await device.queue.onSubmittedWorkDone();
        lap('computeMs');
        const bytes = await readStaging(staging, timerAt + GPU_TIMER_BYTES);
        stats = decodeLossStats(bytes, statsAt);
        gpuComputeMs = timer ? GpuTimer.elapsedMs(bytes, timerAt) : null;
        lap('readbackMs');
        const grads = new Float32Array(bytes, 0, P);
        const bad = firstNonFinite(grads);
        const own: StepReport['nonFinite'] = bad >= 0 ? { what: 'gradient', value: grads[bad] }
          : Number.isFinite(stats.lossSum) ? undefined : { what: 'loss', value: stats.lossSum };
        // The all-reduce runs even so, or the other replicas would wait for this one forever.
        const reduced = await allreduce(grads, 1);
        bytesSent = reduced.bytesSent;
        lap('allreduceMs');
        const badSum = firstNonFinite(reduced.sum);
        nonFinite = own ?? (badSum >= 0 ? { what: 'sum', value: reduced.sum[badSum] } : undefined);
        if (!nonFinite) {
          if (watch.tooHigh(stats.lossSum / ids.length)) backup!.rejected(t);
          else backup!.verified(t);
          device.queue.writeBuffer(trainer.grads, 0, reduced.sum as Float32Array<ArrayBuffer>);
          const update = device.createCommandEncoder({ label: `replica ${rank} update ${t}` });
          trainer.encodeUpdate(update, t);
          update.copyBufferToBuffer(trainer.params, 0, staging, 0, vectorBytes);
          device.queue.submit([update.finish()]);
          completed = t;
          checksum = paramsFingerprint(new Float32Array(await readStaging(staging, vectorBytes)));
          lap('updateMs');
        }
      } else {
        // Local SGD: a step on this shard alone; every `sync` steps the weights are averaged.
        trainer.encodeGradients(encoder, ids, ids.length);
        encoder.copyBufferToBuffer(trainer.stats, 0, staging, 0, LOSS_STATS_BYTES);
        device.queue.submit([encoder.finish()]);
        await device.queue.onSubmittedWorkDone();
        lap('computeMs');
        stats = decodeLossStats(await readStaging(staging, LOSS_STATS_BYTES));
        lap('readbackMs');
        if (!Number.isFinite(stats.lossSum)) nonFinite = { what: 'loss', value: stats.lossSum };
      }
      if (!nonFinite && syncEvery > 1) {
        const update = device.createCommandEncoder({ label: `replica ${rank} update ${t}` });
        trainer.encodeUpdate(update, t);
        device.queue.submit([update.finish()]);
        completed = t;
        await device.queue.onSubmittedWorkDone();
        lap('updateMs');
        if (t % syncEvery === 0 || t === totalSteps) {
          const read = device.createCommandEncoder({ label: `replica ${rank} weights ${t}` });
          read.copyBufferToBuffer(trainer.params, 0, staging, 0, vectorBytes);
          device.queue.submit([read.finish()]);
          const params = new Float32Array(await readStaging(staging, vectorBytes));
          lap('readbackMs');
          const own = params.slice();
          const averaged = await allreduce(params, 1 / world);
          bytesSent = averaged.bytesSent;
          drift = relativeError(own, averaged.sum);
          device.queue.writeBuffer(trainer.params, 0, averaged.sum as Float32Array<ArrayBuffer>);
          checksum = paramsFingerprint(averaged.sum);
          lap('allreduceMs');
          // Every replica's state at a synchronisation: after a failure all restart from these and replay.
          const state = await trainer.readState(t);
          post({ type: 'sync-state', rank, state }, stateTransfer(state));
          lap('readbackMs');
        }
      }
      if (gpuComputeMs !== null) times.computeMs = gpuComputeMs;
      post({
        type: 'report', rank, step: t, epoch, lossSum: stats.lossSum, correct: stats.correct, rows: ids.length, globalRows,
        ids: Array.from(ids), padded: plan.rankPadding(i, rank), times, gpuTimed: gpuComputeMs !== null, bytesSent, checksum, drift, nonFinite,
      });
      if (nonFinite) {
        // Diverged, and no update taken: the coordinator ends the run, asking for the last good state.
        if (backup) control.serveState(() => backup.restore());
        return null;
      }
      // With gradient all-reduce every replica holds the same state, so rank 0's is the run's.
      if (rank === 0 && syncEvery === 1 && init.checkpointEvery && t % init.checkpointEvery === 0) {
        const state = await trainer.readState(t);
        post({ type: 'checkpoint', rank, state }, stateTransfer(state));
      }
    }
    if (rank === 0 && t > (init.resume?.step ?? 0)) {
      const evalStart = runClock();
      const result = await trainer.evaluate();
      post({
        type: 'metric', rank, record: { type: 'eval', epoch, step: t, testLoss: result.loss, testAccuracy: result.accuracy },
        evalMs: runClock() - evalStart,
      });
    }
  }
  return trainer.readParams();
}
