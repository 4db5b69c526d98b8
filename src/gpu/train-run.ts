// The single-device training loop: epochs of seeded batches, asynchronous loss readback, test-set
// evaluation every epoch, divergence (keeping the last verified-good state) and GPU-error stops, a
// rising-loss warning, and the final weights checksum.
import type { RunConfig } from '../core/config';
import type { Dataset, DatasetLabels } from '../core/datasets';
import { weightsSha256 } from '../core/checksum';
import { divergedMessage, LossWatch, type Divergence, type MetricRecord } from '../core/metrics';
import { Throughput } from '../core/throughput';
import { initParams, layerSizes, modelLayout } from '../core/model';
import { epochPlan, shardSpec } from '../core/sharding';
import { StateBackup } from './state-backup';
import { StatsLog } from './stats-log';
import { createTrainer, EVAL_CHUNK } from './trainer';

/** The weights at a moment of a run, for live views (after `step` optimizer steps). */
export interface ParamsSnapshot {
  step: number;
  params: Float32Array;
}

/**
 * Pause, resume, single steps, stop, and weight snapshots, shared between a training loop and whoever
 * drives it (a page worker, the coordinator, the CLI).
 */
export class RunSwitch {
  private paused = false;
  private stopped = false;
  private stepBudget = 0;
  private wake: (() => void) | null = null;
  private reader: (() => Promise<ParamsSnapshot>) | null = null;
  private stateReader: (() => Promise<TrainingState | null>) | null = null;

  pause(): void {
    this.paused = true;
  }

  resume(): void {
    this.paused = false;
    this.release();
  }

  /** Takes exactly one more step, then holds paused. */
  stepOnce(): void {
    this.paused = true;
    this.stepBudget = 1;
    this.release();
  }

  stop(): void {
    this.stopped = true;
    this.release();
  }

  get isPaused(): boolean {
    return this.paused && this.stepBudget === 0 && !this.stopped;
  }

  get isStopped(): boolean {
    return this.stopped;
  }

  /** True while the loop is actually holding at a pause (its pending metrics already reported). */
  get isHolding(): boolean {
    return this.wake !== null;
  }

  /** The loop calls this after each step, so a single step spends its budget. */
  tookStep(): void {
    if (this.stepBudget > 0) this.stepBudget--;
  }

  waitWhilePaused(): Promise<void> {
    if (!this.isPaused) return Promise.resolve();
    return new Promise((resolve) => { this.wake = resolve; });
  }

  /** The loop registers how to read its weights once its trainer exists. */
  serveSnapshots(reader: () => Promise<ParamsSnapshot>): void {
    this.reader = reader;
  }

  /** Replicas register how to read their whole state, so a replaced replica can start from it. */
  serveState(reader: () => Promise<TrainingState | null>): void {
    this.stateReader = reader;
  }

  /** Weights, optimizer state and completed steps, or null before training has begun. */
  state(): Promise<TrainingState | null> {
    return this.stateReader ? this.stateReader() : Promise.resolve(null);
  }

  /** The current weights (after all submitted steps), or null before training has begun. */
  snapshot(): Promise<ParamsSnapshot | null> {
    return this.reader ? this.reader() : Promise.resolve(null);
  }

  private release(): void {
    this.wake?.();
    this.wake = null;
  }
}

/** Everything needed to continue a single-device run exactly: weights, optimizer state, steps taken. */
export interface TrainingState {
  step: number;
  params: Float32Array;
  /** Optimizer state (momentum velocity or Adam moments; zeros where unused). */
  m: Float32Array;
  v: Float32Array;
}

/** Steps logged on the GPU before their losses are read back. */
const LOG_SLOTS = 16;
/** Steps between copies of the state for a diverged run to fall back on (a GPU-side copy, no readback). */
export const BACKUP_EVERY = 4;

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
  checkpoint?: { every: number; save: (state: TrainingState) => Promise<void> };
  /** When the run was asked for (runClock); the time until training begins is its start-up. Default: now. */
  startedAt?: number;
}

/** Milliseconds on a clock the page, its workers and the CLI's threads share, for start-up across them. */
export const runClock = (): number => performance.timeOrigin + performance.now();

interface StepMeta {
  step: number;
  epoch: number;
  rows: number;
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
  const maxRows = Math.max(config.batch, Math.min(EVAL_CHUNK, dataset.test.n));
  let gpuError: string | null = null;
  device.addEventListener('uncapturederror', (e) => { gpuError ??= (e as GPUUncapturedErrorEvent).error.message; });
  void device.lost.then((info) => { gpuError ??= `GPU device lost (${info.reason}): ${info.message}`; });

  const trainer = await createTrainer(
    device, { layout, optimizer: config.optimizer, lr: config.lr, maxRows }, dataset, resumeFrom?.params ?? initParams(layout, config.seed),
  );
  if (resumeFrom) trainer.restoreOptimizerState(resumeFrom.m, resumeFrom.v);
  // Compiled before training begins: start-up, not the first step's time.
  await trainer.compile(config.batch, config.batch);
  const log = new StatsLog(device, LOG_SLOTS);
  const watch = new LossWatch(config.lr);
  control.serveSnapshots(async () => ({ step: stepsDone, params: await trainer.readParams() }));
  control.serveState(() => trainer.readState(stepsDone));
  // The replicas' plan with one replica: the same batches (and droplast) as N replicas take together.
  const spec = { ...shardSpec(config), replicas: 1 };
  const perEpoch = epochPlan(spec, 1, dataset.train.y).steps;
  const totalSteps = perEpoch * config.epochs;
  const pendingMeta: StepMeta[] = [];
  let samplesDone = 0;
  const startStep = resumeFrom?.step ?? 0;
  if (startStep >= totalSteps) throw new Error(`the saved state is at step ${startStep}, but this run has only ${totalSteps} steps`);
  let stepsDone = startStep;
  const backup = new StateBackup(device, trainer, startStep);
  let lastEmitted = startStep;
  const throughput = new Throughput(startedAt, runClock(), startStep);

  const finish = (record: MetricRecord): MetricRecord => {
    emit(record);
    return record;
  };
  const stoppedAt = (step: number, reason: 'diverged' | 'error' | 'user', message: string) =>
    finish({ type: 'stopped', step, reason, message });

  /**
   * The weights went non-finite: fall back to the last verified-good state (in the trainer's buffers, for
   * state requests, and saved as the run's checkpoint), and stop there with the metrics up to it.
   */
  const diverged = async (found: Omit<Divergence, 'lr' | 'kept'>): Promise<MetricRecord> => {
    const kept = await backup.restore();
    if (kept) {
      stepsDone = kept.step;
      await checkpoint?.save({ ...kept, params: kept.params.slice(), m: kept.m.slice(), v: kept.v.slice() });
    }
    const message = divergedMessage({ ...found, lr: config.lr, kept: kept?.step ?? null });
    return finish({ type: 'stopped', step: kept?.step ?? found.step - 1, reason: 'diverged', message, divergedAt: found.step });
  };

  /** Emits the oldest readback's step records; returns a stop record if training must end. */
  const drainOldest = async (): Promise<MetricRecord | null> => {
    const stats = await log.oldest();
    const before = samplesDone;
    for (const s of stats) {
      const meta = pendingMeta.shift()!;
      const loss = s.lossSum / meta.rows;
      if (!Number.isFinite(loss)) return diverged({ step: meta.step, what: 'loss', value: loss });
      // A state whose next losses soared is not one to fall back on, though training goes on from it.
      if (watch.tooHigh(loss)) backup.rejected(meta.step);
      else backup.verified(meta.step);
      samplesDone += meta.rows;
      lastEmitted = meta.step;
      emit({ type: 'step', step: meta.step, epoch: meta.epoch, loss, accuracy: s.correct / meta.rows });
      const warning = watch.check(meta.step, loss);
      if (warning) emit(warning);
    }
    if (gpuError) return stoppedAt(pendingMeta[0]?.step ?? 0, 'error', gpuError);
    emit(throughput.record(lastEmitted, samplesDone - before, totalSteps, runClock()));
    return null;
  };

  const drainAll = async (): Promise<MetricRecord | null> => {
    if (!log.empty) log.flush();
    while (log.inFlight > 0) {
      const stop = await drainOldest();
      if (stop) return stop;
    }
    return null;
  };

  let testAccuracy = 0;
  const firstEpoch = Math.floor(startStep / perEpoch) + 1;
  for (let epoch = firstEpoch; epoch <= config.epochs; epoch++) {
    const plan = epochPlan(spec, epoch, dataset.train.y);
    for (let i = epoch === firstEpoch ? startStep % perEpoch : 0; i < perEpoch; i++) {
      if (checkpoint && stepsDone > startStep && stepsDone % checkpoint.every === 0) {
        const stop = await drainAll();
        if (stop) return stop;
        await checkpoint.save(await trainer.readState(stepsDone));
      }
      if (control.isPaused || control.isStopped) {
        const stop = await drainAll();
        if (stop) return stop;
        throughput.hold(runClock());
        await control.waitWhilePaused();
        throughput.resume(runClock());
        if (control.isStopped) return stoppedAt(stepsDone, 'user', `stopped at step ${stepsDone}`);
      }
      const indices = plan.rankBatch(i, 0);
      stepsDone++;
      trainer.step(indices, stepsDone, log.buffer, log.nextOffset());
      if (stepsDone % BACKUP_EVERY === 0) backup.save(stepsDone);
      control.tookStep();
      pendingMeta.push({ step: stepsDone, epoch, rows: indices.length });
      if (stepsDone === startStep + 1) {
        // The first step is read back at once, so the page shows training has started without waiting
        // for a full log; later steps are read in batches.
        log.flush();
        const stop = await drainOldest();
        if (stop) return stop;
      } else if (log.full) {
        log.flush();
        // Two readbacks in flight keep the GPU busy while bounding how far the loop runs ahead.
        if (log.inFlight >= 2) {
          const stop = await drainOldest();
          if (stop) return stop;
        }
      }
    }
    const stop = await drainAll();
    if (stop) return stop;
    const evalStart = runClock();
    const result = await trainer.evaluate();
    throughput.exclude(runClock() - evalStart);
    if (!Number.isFinite(result.loss)) return diverged({ step: stepsDone, what: 'test loss', value: result.loss });
    if (gpuError) return stoppedAt(stepsDone, 'error', gpuError);
    testAccuracy = result.accuracy;
    emit({ type: 'eval', epoch, step: stepsDone, testLoss: result.loss, testAccuracy });
  }
  const params = await trainer.readParams();
  onFinalParams?.(params);
  return finish({ type: 'done', steps: stepsDone, testAccuracy, weightsSha256: await weightsSha256(layout, params) });
}
