// One single-device run as trainLoop walks its schedule: each step one submit with its loss logged on the
// GPU; between steps, a checkpoint or a pause once the steps before are reported; after each epoch, the
// test set; and the record the run ends with (done, or stopped by the user, a divergence or a GPU error).
import { weightsSha256 } from '../core/checksum';
import { divergedMessage, LossWatch, type MetricRecord } from '../core/metrics';
import type { ModelLayout } from '../core/model';
import { learningRate } from '../core/optimizers';
import { Throughput } from '../core/throughput';
import { runClock } from './run-clock';
import { RunHandover, type Checkpointing } from './run-handover';
import type { RunSwitch } from './run-switch';
import { StepRecords, type Halt } from './step-records';
import type { Trainer } from './trainer';

export interface SingleRunOptions {
  lr: number;
  /** When the run was asked for (runClock): the time until training begins is its start-up. */
  startedAt: number;
  emit: (record: MetricRecord) => void;
  checkpoint?: Checkpointing;
}

export class SingleDeviceRun {
  private readonly handover: RunHandover;
  private readonly throughput: Throughput;
  private readonly records: StepRecords;
  private testAccuracy = 0;

  constructor(
    private readonly trainer: Trainer, private readonly control: RunSwitch, private readonly gpuError: () => string | null,
    private readonly steps: { doneSteps: number; totalSteps: number }, private readonly options: SingleRunOptions,
  ) {
    const { doneSteps, totalSteps } = steps;
    const watch = new LossWatch(options.lr);
    this.handover = new RunHandover(trainer, control, doneSteps, options.checkpoint);
    this.throughput = new Throughput(options.startedAt, runClock(), doneSteps);
    this.records = new StepRecords(trainer.device, watch, this.handover.backup, this.throughput, totalSteps, doneSteps, options.emit, gpuError);
  }

  /** Between steps: a checkpoint that is due, then a pause or a stop. */
  async beforeStep(): Promise<MetricRecord | null> {
    if (this.handover.checkpointDue) {
      const halt = await this.records.drainAll();
      if (halt) return this.halted(halt);
      await this.handover.saveCheckpoint();
    }
    if (!this.control.isPaused && !this.control.isStopped) return null;
    const halt = await this.records.drainAll();
    if (halt) return this.halted(halt);
    this.throughput.hold(runClock());
    await this.control.waitWhilePaused();
    this.throughput.resume(runClock());
    const done = this.handover.stepsDone;
    return this.control.isStopped ? this.end({ type: 'stopped', step: done, reason: 'user', message: `stopped at step ${done}` }) : null;
  }

  /** Forward, backward and update of one batch in one submit; its loss is read back later, with others. */
  async step(step: number, epoch: number, indices: Uint32Array): Promise<MetricRecord | null> {
    this.trainer.step(indices, step, this.records.log.buffer, this.records.log.nextOffset());
    this.handover.submitted(step);
    this.control.tookStep();
    const lr = learningRate(this.trainer.spec.lr, step);
    const halt = await this.records.logged({ step, epoch, rows: indices.length, lr }, step === this.steps.doneSteps + 1);
    return halt ? this.halted(halt) : null;
  }

  /** The epoch's steps reported, then the test set (its time left out of the training time). */
  async endEpoch(epoch: number): Promise<MetricRecord | null> {
    const halt = await this.records.drainAll();
    if (halt) return this.halted(halt);
    const evalStart = runClock();
    const result = await this.trainer.evaluate();
    this.throughput.exclude(runClock() - evalStart);
    const step = this.handover.stepsDone;
    if (!Number.isFinite(result.loss)) return this.halted({ kind: 'diverged', found: { step, what: 'test loss', value: result.loss } });
    const error = this.gpuError();
    if (error) return this.halted({ kind: 'error', step, message: error });
    this.testAccuracy = result.accuracy;
    this.options.emit({ type: 'eval', epoch, step, testLoss: result.loss, testAccuracy: this.testAccuracy });
    return null;
  }

  /** The final weights, to `onFinalParams` and as the done record's checksum. */
  async done(layout: ModelLayout, onFinalParams?: (params: Float32Array) => void): Promise<MetricRecord> {
    const params = await this.trainer.readParams();
    onFinalParams?.(params);
    return this.end({ type: 'done', steps: this.handover.stepsDone, testAccuracy: this.testAccuracy, weightsSha256: await weightsSha256(layout, params) });
  }

  /** A GPU error stops the run where it is; a divergence falls back to the last verified-good state and stops there. */
  private async halted(halt: Halt): Promise<MetricRecord> {
    if (halt.kind === 'error') return this.end({ type: 'stopped', step: halt.step, reason: 'error', message: halt.message });
    const { found } = halt;
    const kept = await this.handover.fallBack();
    const message = divergedMessage({ ...found, lr: this.options.lr, kept: kept?.step ?? null });
    return this.end({ type: 'stopped', step: kept?.step ?? found.step - 1, reason: 'diverged', message, divergedAt: found.step });
  }

  /** The record the run ends with, emitted like every other. */
  private end(record: MetricRecord): MetricRecord {
    this.options.emit(record);
    return record;
  }
}
