// One model-parallel worker's training loop. Pipeline: a stage runs its schedule of micro-batch forwards
// and backwards, receiving activations from the previous stage and gradients from the next over
// MessagePorts, accumulating parameter gradients, then its own optimizer step. Tensor: every worker runs
// the whole batch through its column/row slices, summing partial outputs (forward) and partial input
// gradients (backward) with the other workers in a ring. Data × pipeline: several replicas of the whole
// pipeline each train their shard of the batch, and each stage sums its gradients with the same stage
// of the other replicas (a ring) before its update. Each span of work is timed for the timeline.
import type { Dataset } from '../core/datasets';
import type { TimelineSpan } from '../core/model-parallel';
import { inFlight, microbatchSizes, stageSchedule } from '../core/model-parallel';
import { epochPlan, shardSpec } from '../core/sharding';
import { encodeDispatches } from '../gpu/context';
import { PartTrainer, type Segment } from '../gpu/part-trainer';
import { LOSS_STATS_BYTES, decodeLossStats } from '../gpu/softmax-ce';
import { readTrainingState, writeOptimizerState } from '../gpu/training-state';
import { runClock, type RunSwitch } from '../gpu/train-run';
import { EVAL_CHUNK } from '../gpu/trainer';
import { ringAllreduce, type RingMessage } from './allreduce';
import { Inbox, type Endpoint } from './ports';
import type { FromReplica, ToReplica } from './replica-protocol';

type Init = Extract<ToReplica, { type: 'init' }>;

/** Activations (forward) and their gradients (backward) between neighbouring stages. */
interface StageMessage {
  type: 'act' | 'grad';
  /** Which step (or evaluation chunk) and micro-batch. */
  key: string;
  data: Float32Array;
}

/**
 * Trains this worker's part in step with the others; resolves with its final parameters (its own
 * layout), or null when stopped.
 */
export async function trainPart(
  device: GPUDevice, init: Init, dataset: Dataset, control: RunSwitch,
  post: (m: FromReplica, transfer?: Transferable[]) => void, ready: () => Promise<void>,
): Promise<Float32Array | null> {
  const { config, rank, world } = init;
  const { plan, stage, stages, replica, replicas, prev, next } = init.part!;
  const pipeline = config.mode === 'pipeline';
  const m = pipeline ? config.microbatches : 1;
  const schedule = (micro: number) => stageSchedule(config.schedule, stages, stage, micro);
  const takesInput = !pipeline || stage === 0;
  const computesLoss = !pipeline || stage === stages - 1;
  /** Reports the loss: each replica's last stage (tensor-parallel workers all compute the same: rank 0). */
  const reporter = pipeline ? computesLoss : rank === 0;
  /** Replica 0 evaluates and hands over checkpoints and the final weights (the replicas are identical). */
  const lead = replica === 0;
  const spec = shardSpec(config);
  const plans = Array.from({ length: config.epochs }, (_, e) => epochPlan(spec, e + 1, dataset.train.y));
  const shardRows = Math.max(...plans.map((p) => Math.max(...Array.from({ length: p.steps }, (_, i) => p.rankBatch(i, replica).length))));
  const rows = microbatchSizes(shardRows, m)[0];
  const evalRows = Math.min(EVAL_CHUNK, dataset.test.n);
  const trainer = new PartTrainer(device, {
    layout: plan.layout, roles: plan.parts.map((p) => p.role), optimizer: config.optimizer, lr: config.lr,
    takesInput, computesLoss, slots: pipeline ? inFlight(schedule(m)) : 1, rows, evalRows,
  }, dataset, init.initialParams);
  /** Steps already done by the state this worker starts from (after a restart, or a resumed run). */
  const resumeStep = init.resume?.step ?? 0;
  if (init.resume) writeOptimizerState(device, trainer, init.resume.m, init.resume.v);
  const widths = plan.layout.sizes;
  const stagingBytes = 4 * Math.max(Math.max(rows, evalRows) * Math.max(...widths), replicas > 1 ? plan.layout.totalFloats : 0)
    + LOSS_STATS_BYTES * Math.max(m, 1);
  const staging = device.createBuffer({ size: stagingBytes, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
  const fromPrev = prev ? new Inbox<StageMessage>(prev as unknown as Endpoint) : null;
  const fromNext = next ? new Inbox<StageMessage>(next as unknown as Endpoint) : null;
  // Tensor: a ring of all workers, for the partial sums. Data × pipeline: a ring of this stage's replicas.
  const ring = init.left && init.right
    ? pipeline
      ? { rank: replica, world: replicas, left: new Inbox<RingMessage>(init.left as unknown as Endpoint), right: init.right as unknown as Endpoint }
      : { rank, world, left: new Inbox<RingMessage>(init.left as unknown as Endpoint), right: init.right as unknown as Endpoint }
    : null;
  const lossLog = device.createBuffer({ size: LOSS_STATS_BYTES * m, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST });
  let round = 0;
  let bytesSent = 0;
  let spans: TimelineSpan[] = [];
  const timed = async <T>(kind: TimelineSpan['kind'], microbatch: number, work: () => Promise<T>): Promise<T> => {
    const start = runClock();
    const out = await work();
    spans.push({ kind, microbatch, start, end: runClock() });
    return out;
  };

  const read = async (bytes: number): Promise<ArrayBuffer> => {
    await staging.mapAsync(GPUMapMode.READ, 0, bytes);
    const out = staging.getMappedRange(0, bytes).slice(0);
    staging.unmap();
    return out;
  };

  /**
   * Runs segments in order; between them, the tensor-parallel sum of the partial result. `finish`
   * adds copies to the last command encoder; the returned promise resolves when the GPU is done.
   */
  const runSegments = async (segments: Segment[], kind: 'F' | 'B', microbatch: number, finish?: (e: GPUCommandEncoder) => void) => {
    for (const [i, seg] of segments.entries()) {
      const start = runClock();
      const encoder = device.createCommandEncoder({ label: `${kind}${microbatch}` });
      const pass = encoder.beginComputePass();
      encodeDispatches(pass, seg.dispatches);
      pass.end();
      if (seg.reduce) encoder.copyBufferToBuffer(seg.reduce.buffer, 0, staging, 0, seg.reduce.floats * 4);
      if (i === segments.length - 1) finish?.(encoder);
      device.queue.submit([encoder.finish()]);
      await device.queue.onSubmittedWorkDone();
      spans.push({ kind, microbatch, start, end: runClock() });
      if (seg.reduce) {
        const { buffer, floats } = seg.reduce;
        await timed('wait', microbatch, async () => {
          const partial = new Float32Array(await read(floats * 4));
          const { sum, bytesSent: sent } = await ringAllreduce(partial, round++, ring!);
          bytesSent += sent;
          device.queue.writeBuffer(buffer, 0, sum as Float32Array<ArrayBuffer>);
        });
      }
    }
  };

  /** Reads `floats` of a buffer after the GPU work and sends them to a neighbour. */
  const sendBuffer = async (buffer: GPUBuffer, floats: number, to: MessagePort, type: StageMessage['type'], key: string, microbatch: number) => {
    await timed('send', microbatch, async () => {
      const encoder = device.createCommandEncoder();
      encoder.copyBufferToBuffer(buffer, 0, staging, 0, floats * 4);
      device.queue.submit([encoder.finish()]);
      const data = new Float32Array(await read(floats * 4));
      bytesSent += data.byteLength;
      to.postMessage({ type, key, data } satisfies StageMessage, [data.buffer]);
    });
  };

  const receive = (inbox: Inbox<StageMessage>, type: StageMessage['type'], key: string, microbatch: number) =>
    timed('wait', microbatch, () => inbox.next((x) => x.type === type && x.key === key)).then((x) => x.data);

  /** Forward of `n` rows through this part into `slot`; rows come from ids (training) or the test set. */
  const forward = async (slot: number, key: string, microbatch: number, ids: Uint32Array, split: 'train' | 'test', scale: number, evalStart: number, statsAt: number) => {
    const n = ids.length;
    if (takesInput) {
      if (split === 'train') trainer.writeIndices(slot, ids);
    } else {
      trainer.writeInput(slot, await receive(fromPrev!, 'act', key, microbatch));
    }
    if (computesLoss && !takesInput) trainer.writeLabels(slot, Uint32Array.from(ids, (i) => dataset[split].y[i]));
    await runSegments(trainer.forward(slot, split, n, scale, evalStart), 'F', microbatch, (e) => {
      if (computesLoss) e.copyBufferToBuffer(trainer.stats[slot], 0, lossLog, statsAt, LOSS_STATS_BYTES);
    });
    if (!computesLoss) await sendBuffer(trainer.output(slot), n * widths[widths.length - 1], next!, 'act', key, microbatch);
  };

  const backward = async (slot: number, key: string, microbatch: number, n: number, accumulate: boolean) => {
    if (!computesLoss) trainer.writeTopGrad(slot, await receive(fromNext!, 'grad', key, microbatch));
    await runSegments(trainer.backward(slot, n, accumulate), 'B', microbatch);
    if (trainer.inputGrad) await sendBuffer(trainer.inputGrad, n * widths[0], prev!, 'grad', key, microbatch);
  };

  /** Loss sums of the first `count` entries of the loss log. */
  const readLosses = async (count: number) => {
    const encoder = device.createCommandEncoder();
    encoder.copyBufferToBuffer(lossLog, 0, staging, 0, count * LOSS_STATS_BYTES);
    device.queue.submit([encoder.finish()]);
    const bytes = await read(count * LOSS_STATS_BYTES);
    let lossSum = 0;
    let correct = 0;
    for (let i = 0; i < count; i++) {
      const s = decodeLossStats(bytes, i * LOSS_STATS_BYTES);
      lossSum += s.lossSum;
      correct += s.correct;
    }
    return { lossSum, correct };
  };

  const evaluate = async (epoch: number, step: number) => {
    const evalStart = runClock();
    const n = dataset.test.n;
    let lossSum = 0;
    let correct = 0;
    for (let start = 0; start < n; start += evalRows) {
      const ids = Uint32Array.from({ length: Math.min(evalRows, n - start) }, (_, i) => start + i);
      await forward(trainer.evalSlot, `eval ${epoch} ${start}`, 0, ids, 'test', 1 / ids.length, start, 0);
      if (computesLoss) {
        const s = await readLosses(1);
        lossSum += s.lossSum;
        correct += s.correct;
      }
    }
    if (reporter && lead) {
      post({
        type: 'metric', rank, record: { type: 'eval', epoch, step, testLoss: lossSum / n, testAccuracy: correct / n },
        evalMs: runClock() - evalStart,
      });
    }
  };

  /** Data × pipeline: this stage's gradients summed with the same stage of every replica. */
  const sumGradients = async (step: number) => {
    const floats = plan.layout.totalFloats;
    const encoder = device.createCommandEncoder({ label: `gradients ${step}` });
    encoder.copyBufferToBuffer(trainer.grads, 0, staging, 0, floats * 4);
    device.queue.submit([encoder.finish()]);
    const { sum, bytesSent: sent } = await ringAllreduce(new Float32Array(await read(floats * 4)), round++, ring!);
    bytesSent += sent;
    device.queue.writeBuffer(trainer.grads, 0, sum as Float32Array<ArrayBuffer>);
  };

  // Every program is built (its pipelines compiled) before saying ready, so the first step is no slower.
  await trainer.compile(() => [
    trainer.forward(0, 'train', rows, 1 / config.batch),
    [false, true].map((accumulate) => trainer.backward(0, rows, accumulate)),
    trainer.forward(trainer.evalSlot, 'test', Math.min(evalRows, dataset.test.n), 1 / evalRows),
  ]);
  await ready();
  let t = 0;
  for (let epoch = 1; epoch <= config.epochs; epoch++) {
    const epochSteps = plans[epoch - 1];
    for (let i = 0; i < epochSteps.steps; i++) {
      if (t < resumeStep) {
        t++; // done before a restart
        continue;
      }
      if (control.isPaused) await control.waitWhilePaused();
      if (control.isStopped) return null;
      control.tookStep();
      t++;
      spans = [];
      bytesSent = 0;
      const ids = epochSteps.rankBatch(i, replica);
      let globalRows = 0;
      for (let r = 0; r < replicas; r++) globalRows += epochSteps.rankBatch(i, r).length;
      const sizes = microbatchSizes(ids.length, m);
      const offsets = sizes.map((_, k) => sizes.slice(0, k).reduce((a, b) => a + b, 0));
      const ops = pipeline ? schedule(sizes.length) : [{ kind: 'F' as const, microbatch: 0 }, { kind: 'B' as const, microbatch: 0 }];
      for (const op of ops) {
        const k = op.microbatch;
        const key = `${t} ${k}`;
        if (op.kind === 'F') {
          await forward(k % trainer.spec.slots, key, k, ids.subarray(offsets[k], offsets[k] + sizes[k]), 'train', 1 / globalRows, 0, k * LOSS_STATS_BYTES);
        } else {
          await backward(k % trainer.spec.slots, key, k, sizes[k], k > 0);
        }
      }
      const loss = computesLoss ? { ...(await readLosses(sizes.length)), rows: ids.length } : undefined;
      // Each replica's gradient is scaled by 1/global batch, so their sum is the whole batch's.
      if (pipeline && replicas > 1) await timed('allreduce', 0, () => sumGradients(t));
      await timed('update', 0, async () => {
        const encoder = device.createCommandEncoder({ label: `update ${t}` });
        trainer.encodeUpdate(encoder, t);
        device.queue.submit([encoder.finish()]);
        await device.queue.onSubmittedWorkDone();
      });
      post({
        type: 'part-report', rank, step: t, epoch, loss: reporter ? loss : undefined, spans, bytesSent,
        activationBytes: trainer.activationBytes,
      });
      // Every worker's state at the same step makes a consistent checkpoint of the whole model.
      if (lead && init.checkpointEvery && t % init.checkpointEvery === 0) {
        const state = await readTrainingState(device, trainer, t);
        post({ type: 'checkpoint', rank, state }, [state.params.buffer, state.m.buffer, state.v.buffer]);
      }
    }
    if (lead && t > resumeStep) await evaluate(epoch, t);
  }
  return lead ? trainer.readParams() : null;
}
