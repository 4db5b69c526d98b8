// The single-device training loop: the run's schedule of seeded batches (run-schedule.ts) walked on one
// GPU (single-device-run.ts), every result a metric record. Its drivers (page, coordinator, CLI, tests)
// import the run's controls and types from here with it.
import type { RunConfig } from '../core/config';
import type { Dataset, DatasetLabels } from '../core/datasets';
import type { MetricRecord } from '../core/metrics';
import { initParams, layerSizes, modelLayout } from '../core/model';
import { runLrSchedule } from '../core/optimizers';
import { shardSpec } from '../core/sharding';
import { runClock } from './run-clock';
import type { Checkpointing } from './run-handover';
import { RunSchedule } from './run-schedule';
import { RunSwitch } from './run-switch';
import { SingleDeviceRun } from './single-device-run';
import { createTrainer, EVAL_CHUNK } from './trainer';
import type { TrainingState } from './training-state';

export { runClock } from './run-clock';
export { RunSwitch, type ParamsSnapshot } from './run-switch';
export type { TrainingState } from './training-state';

export interface RunOptions {
  device: GPUDevice;
  config: RunConfig;
  dataset: Dataset;
  emit: (record: MetricRecord) => void;
  control?: RunSwitch;
  /** Receives the final weights (flat layout) when training completes. */
  onFinalParams?: (params: Float32Array) => void;
  /** Continue from a saved state instead of the seeded initial weights. */
  resumeFrom?: TrainingState;
  /**
   * Save the state every `every` steps (after that step's metrics are out, and after an epoch's eval),
   * and, when the run diverges, the last verified-good state it falls back to.
   */
  checkpoint?: Checkpointing;
  /** When the run was asked for (runClock); the time until training begins is its start-up. Default: now. */
  startedAt?: number;
}

export function validateForDataset(config: RunConfig, dataset: DatasetLabels): void {
  if (config.batch > dataset.train.n) {
    throw new Error(`batch: must be at most the training set size ${dataset.train.n} for ${dataset.name}, got ${config.batch}`);
  }
}

/**
 * Trains to the end (or a stop); every result goes through `emit`. Resolves with the last record once
 * the GPU queue is idle, so a caller may exit or reuse the device at once.
 */
export async function runTraining(options: RunOptions): Promise<MetricRecord> {
  const last = await trainLoop(options);
  await options.device.queue.onSubmittedWorkDone();
  return last;
}

async function trainLoop({
  device, config, dataset, emit, control = new RunSwitch(), onFinalParams, resumeFrom, checkpoint, startedAt = runClock(),
}: RunOptions): Promise<MetricRecord> {
  validateForDataset(config, dataset);
  const layout = modelLayout(layerSizes(config, dataset.inputs, dataset.classes));
  // Activations for one accumulated micro-batch of the batch, or an evaluation chunk.
  const maxRows = Math.max(Math.ceil(config.batch / config.accumulate), Math.min(EVAL_CHUNK, dataset.test.n));
  const gpuError = firstGpuError(device);
  // The replicas' plan with one replica: the same batches (and droplast) as N replicas take together.
  const schedule = new RunSchedule({ ...shardSpec(config), replicas: 1 }, config.epochs, dataset.train.y, resumeFrom?.step ?? 0);
  const { doneSteps, totalSteps } = schedule;
  if (doneSteps >= totalSteps) throw new Error(`the saved state is at step ${doneSteps}, but this run has only ${totalSteps} steps`);
  const trainer = await createTrainer(
    device, { layout, optimizer: config.optimizer, lr: runLrSchedule(config, totalSteps), maxRows, accumulate: config.accumulate, kernel: config.kernel,
      recompute: config.recompute === 1, memlimit: config.memlimit }, dataset,
    resumeFrom?.params ?? initParams(layout, config.seed),
  );
  if (resumeFrom) trainer.restoreOptimizerState(resumeFrom.m, resumeFrom.v);
  // Compiled before training begins: start-up, not the first step's time.
  await trainer.compile(config.batch, config.batch);
  emit(trainer.kernelsRecord!);
  const run = new SingleDeviceRun(trainer, control, gpuError, schedule, { lr: config.lr, startedAt, emit, checkpoint });
  for (const { epoch, plan, steps } of schedule.epochs()) {
    for (const { step, index } of steps) {
      const stop = (await run.beforeStep()) ?? (await run.step(step, epoch, plan.rankBatch(index, 0)));
      if (stop) return stop;
    }
    const stop = await run.endEpoch(epoch);
    if (stop) return stop;
  }
  return run.done(layout, onFinalParams);
}

/** The first uncaptured GPU error or device loss from now on (null while there is none). */
function firstGpuError(device: GPUDevice): () => string | null {
  let error: string | null = null;
  device.addEventListener('uncapturederror', (e) => { error ??= (e as GPUUncapturedErrorEvent).error.message; });
  void device.lost.then((info) => { error ??= `GPU device lost (${info.reason}): ${info.message}`; });
  return () => error;
}
