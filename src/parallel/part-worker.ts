// One model-parallel worker's training loop. Pipeline: a stage runs its schedule of micro-batch forwards
// and backwards, receiving activations from the previous stage and gradients from the next over
// MessagePorts, accumulating parameter gradients, then its own optimizer step. Tensor: every worker runs
// the whole batch through its column/row slices, summing partial outputs (forward) and partial input
// gradients (backward) with the other workers in a ring. Data × pipeline: several replicas of the whole
// pipeline each train their shard of the batch, and each stage sums its gradients with the same stage
// of the other replicas (a ring) before its update. Each span of work is timed for the timeline.
// The passes are part-passes.ts, the exchanges part-exchange.ts, the GPU step gpu/part-step.ts.
import type { Dataset } from '../core/datasets';
import { microbatchSizes, stageSchedule, type PipelineOp } from '../core/model-parallel';
import { runLrSchedule } from '../core/optimizers';
import { partMemoryOf } from '../core/part-memory';
import { shardSpec, type EpochPlan } from '../core/sharding';
import { PartGpuStep } from '../gpu/part-step';
import { PartTrainer } from '../gpu/part-trainer';
import { runClock } from '../gpu/run-clock';
import { globalRows, RunSchedule } from '../gpu/run-schedule';
import type { RunSwitch } from '../gpu/run-switch';
import { LOSS_STATS_BYTES } from '../gpu/softmax-ce';
import { readTrainingState, writeOptimizerState } from '../gpu/training-state';
import { EVAL_CHUNK } from '../gpu/trainer';
import { workerName } from './members';
import { PartExchange } from './part-exchange';
import { partRoles, PartPasses, type PartRoles } from './part-passes';
import { StepTimeline } from './part-timeline';
import type { PartReport } from './replica-protocol';
import { postState, type PostToCoordinator, type WorkerInit } from './worker-messages';

/** What a part worker trains with, built once before it says ready. */
interface PartWorker {
  init: WorkerInit;
  roles: PartRoles;
  trainer: PartTrainer;
  gpu: PartGpuStep;
  exchange: PartExchange;
  timeline: StepTimeline;
  passes: PartPasses;
  /** The order of this stage's forwards and backwards for a step of `microbatches`. */
  ops: (microbatches: number) => PipelineOp[];
}

/**
 * Trains this worker's part in step with the others; resolves with its final parameters (its own
 * layout), or null when stopped.
 */
export async function trainPart(
  device: GPUDevice, init: WorkerInit, dataset: Dataset, control: RunSwitch, post: PostToCoordinator, ready: () => Promise<void>,
): Promise<Float32Array | null> {
  const { config, rank } = init;
  const { plan, stage, stages, replica, replicas } = init.part!;
  const roles = partRoles(init);
  const m = roles.microbatches;
  const ops = (micro: number) => stageSchedule(config.schedule, stages, stage, micro);
  const schedule = new RunSchedule(shardSpec(config), config.epochs, dataset.train.y, init.resume?.step ?? 0);
  const evalRows = Math.min(EVAL_CHUNK, dataset.test.n);
  // What it holds (core/part-memory.ts): activation slots for its largest micro-batch, evaluation's, the data if it takes input.
  const memory = partMemoryOf(config, { layout: plan.layout, stage, stages }, {
    shareRows: schedule.largestRows(replica), evalRows, trainSamples: dataset.train.n, testSamples: dataset.test.n,
  });
  const { rows } = memory;
  const trainer = new PartTrainer(device, {
    ...memory, roles: plan.parts.map((p) => p.role), optimizer: config.optimizer, lr: runLrSchedule(config, schedule.totalSteps),
    kernel: config.kernel, memlimit: config.memlimit,
  }, dataset, init.initialParams);
  if (init.resume) writeOptimizerState(device, trainer, init.resume.m, init.resume.v);
  const gpu = new PartGpuStep(device, trainer, m * config.accumulate, replicas);
  const timeline = new StepTimeline();
  const exchange = new PartExchange(init, timeline);
  const passes = new PartPasses(trainer, gpu, exchange, timeline, roles, dataset);
  const worker: PartWorker = { init, roles, trainer, gpu, exchange, timeline, passes, ops };
  // Every program is built (its pipelines compiled) before saying ready, so the first step is no slower.
  await trainer.compile(() => [
    trainer.forward(0, 'train', rows, 1 / config.batch),
    [false, true].map((accumulate) => trainer.backward(0, rows, accumulate)),
    trainer.spec.recompute ? trainer.recompute(0, rows) : [],
    trainer.forward(trainer.evalSlot, 'test', Math.min(evalRows, dataset.test.n), 1 / evalRows),
  ]);
  postKernels(trainer, init, post);
  await ready();
  for (const { epoch, plan: epochPlan, steps, lastStep } of schedule.epochs()) {
    for (const { step, index } of steps) {
      if (!(await control.enterStep())) return null;
      post(await trainStep(worker, step, epoch, epochPlan, index));
      // Every worker's state at the same step makes a consistent checkpoint of the whole model.
      if (roles.lead && init.checkpointEvery && step % init.checkpointEvery === 0) {
        postState(post, 'checkpoint', rank, await readTrainingState(device, trainer, step));
      }
    }
    if (roles.lead) await postEvaluation(worker, post, epoch, lastStep);
  }
  return roles.lead ? trainer.readParams() : null;
}

/**
 * One step of this part: for each accumulated share of its batch, that share's micro-batches' forwards and
 * backwards in the stage's order (gradients added up over all of them); the loss where it computes one,
 * the gradients summed across replicas (data × pipeline), the update; and its report.
 */
async function trainStep(w: PartWorker, step: number, epoch: number, plan: EpochPlan, index: number): Promise<PartReport> {
  const { init, roles, trainer, timeline } = w;
  const { replica, replicas } = init.part!;
  timeline.reset();
  const ids = plan.rankBatch(index, replica);
  const rows = globalRows(plan, index, replicas);
  // Micro-batches are numbered across the accumulated shares: their messages, timeline spans and losses.
  let first = 0;
  for (const share of splitRows(ids, init.config.accumulate)) {
    first += await trainShare(w, step, share, first, 1 / rows);
  }
  const loss = roles.computesLoss ? { ...(await w.gpu.readLosses(first)), rows: ids.length } : undefined;
  // Each replica's gradient is scaled by 1/global batch, so their sum is the whole batch's.
  if (roles.pipeline && replicas > 1) await timeline.timed('allreduce', 0, () => sumGradients(w, step));
  await timeline.timed('update', 0, () => w.gpu.update(step));
  return {
    type: 'part-report', rank: init.rank, step, epoch, loss: roles.reporter ? loss : undefined, spans: timeline.spans,
    bytesSent: timeline.bytesSent, activationBytes: trainer.activationBytes,
  };
}

/** This worker's kernels, with the whole model's layer numbers (its plan's parts name them). */
function postKernels(trainer: PartTrainer, { config, rank, part }: WorkerInit, post: PostToCoordinator): void {
  const record = trainer.kernelsRecord!;
  const products = record.products.map((p) => ({ ...p, layer: part!.plan.parts[p.layer - 1].layer + 1 }));
  post({ type: 'metric', rank, record: { ...record, products, worker: { rank, name: workerName(config, rank) } } });
}

/** ids cut into `parts` runs as even as possible (fewer where there are fewer ids). */
function splitRows(ids: Uint32Array, parts: number): Uint32Array[] {
  let at = 0;
  return microbatchSizes(ids.length, parts).map((n) => ids.subarray(at, (at += n)));
}

/**
 * One accumulated share through the pipeline schedule (or one forward and backward, tensor-parallel), its
 * micro-batches numbered from `first`; gradients add to what the step has so far. Returns its micro-batches.
 */
async function trainShare({ roles, trainer, passes, ops }: PartWorker, step: number, ids: Uint32Array, first: number, scale: number): Promise<number> {
  const micro = splitRows(ids, roles.microbatches);
  const order = roles.pipeline ? ops(micro.length) : [{ kind: 'F' as const, microbatch: 0 }, { kind: 'B' as const, microbatch: 0 }];
  for (const { kind, microbatch: k } of order) {
    const g = first + k;
    const key = `${step} ${g}`;
    const slot = k % trainer.spec.slots;
    if (kind === 'F') await passes.forward(slot, key, g, micro[k], 'train', scale, 0, g * LOSS_STATS_BYTES);
    else await passes.backward(slot, key, g, micro[k].length, g > 0);
  }
  return micro.length;
}

/** Data × pipeline: this stage's gradients summed with the same stage of every replica. */
async function sumGradients({ trainer, gpu, exchange }: PartWorker, step: number): Promise<void> {
  const grads = await gpu.readOut(trainer.grads, trainer.spec.layout.totalFloats, `gradients ${step}`);
  gpu.write(trainer.grads, await exchange.ringSum(grads));
}

/** The test set after an epoch; the worker that reports the loss posts it, with how long it took. */
async function postEvaluation({ init, roles, passes }: PartWorker, post: PostToCoordinator, epoch: number, step: number): Promise<void> {
  const evalStart = runClock();
  const { testLoss, testAccuracy } = await passes.evaluate(epoch);
  if (roles.reporter) post({ type: 'metric', rank: init.rank, record: { type: 'eval', epoch, step, testLoss, testAccuracy }, evalMs: runClock() - evalStart });
}
