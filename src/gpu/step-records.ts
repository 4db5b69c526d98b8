// The single-device loop's step records: each step's loss is logged on the GPU (StatsLog) and read back a
// batch of steps at a time without stalling the queue; each loss read back verifies (or not) the state kept
// to fall back on, and a non-finite loss or a GPU error halts the run.
import type { Divergence, LossWatch, MetricRecord } from '../core/metrics';
import type { Throughput } from '../core/throughput';
import { runClock } from './run-clock';
import type { StateBackup } from './state-backup';
import { StatsLog } from './stats-log';

/** Steps logged on the GPU before their losses are read back. */
const LOG_SLOTS = 16;

/** Why a run must end early, found reading its losses back. */
export type Halt =
  | { kind: 'diverged'; found: Omit<Divergence, 'lr' | 'kept'> }
  | { kind: 'error'; step: number; message: string };

interface StepMeta {
  step: number;
  epoch: number;
  rows: number;
  /** The step's learning rate. */
  lr: number;
}

export class StepRecords {
  /** The step's trainer copies its loss into this log, at nextOffset(). */
  readonly log: StatsLog;
  private readonly pending: StepMeta[] = [];
  private samplesDone = 0;
  private lastEmitted: number;

  constructor(
    device: GPUDevice, private readonly watch: LossWatch, private readonly backup: StateBackup, private readonly throughput: Throughput,
    private readonly totalSteps: number, startStep: number, private readonly emit: (record: MetricRecord) => void,
    private readonly gpuError: () => string | null,
  ) {
    this.log = new StatsLog(device, LOG_SLOTS);
    this.lastEmitted = startStep;
  }

  /** A step was submitted, its loss logged: reads back the run's first step at once, later ones in batches. */
  async logged(meta: StepMeta, first: boolean): Promise<Halt | null> {
    this.pending.push(meta);
    if (first) {
      // So the page shows training has started without waiting for a full log.
      this.log.flush();
      return this.drainOldest();
    }
    if (!this.log.full) return null;
    this.log.flush();
    // Two readbacks in flight keep the GPU busy while bounding how far the loop runs ahead.
    return this.log.inFlight >= 2 ? this.drainOldest() : null;
  }

  /** Reads back and reports every step submitted so far (before a checkpoint, a pause, an evaluation). */
  async drainAll(): Promise<Halt | null> {
    if (!this.log.empty) this.log.flush();
    while (this.log.inFlight > 0) {
      const halt = await this.drainOldest();
      if (halt) return halt;
    }
    return null;
  }

  /** Emits the oldest readback's step records and a timing record. */
  private async drainOldest(): Promise<Halt | null> {
    const stats = await this.log.oldest();
    const before = this.samplesDone;
    for (const s of stats) {
      const meta = this.pending.shift()!;
      const loss = s.lossSum / meta.rows;
      if (!Number.isFinite(loss)) return { kind: 'diverged', found: { step: meta.step, what: 'loss', value: loss } };
      // A state whose next losses soared is not one to fall back on, though training goes on from it.
      if (this.watch.tooHigh(loss)) this.backup.rejected(meta.step);
      else this.backup.verified(meta.step);
      this.samplesDone += meta.rows;
      this.lastEmitted = meta.step;
      this.emit({ type: 'step', step: meta.step, epoch: meta.epoch, loss, accuracy: s.correct / meta.rows, lr: meta.lr });
      const warning = this.watch.check(meta.step, loss);
      if (warning) this.emit(warning);
    }
    const error = this.gpuError();
    if (error) return { kind: 'error', step: this.pending[0]?.step ?? 0, message: error };
    this.emit(this.throughput.record(this.lastEmitted, this.samplesDone - before, this.totalSteps, runClock()));
    return null;
  }
}
