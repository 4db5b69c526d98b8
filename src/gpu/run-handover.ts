// What a single-device run hands over of its state: its weights to snapshot and state requests, a
// checkpoint every N steps, and after a divergence the last verified-good state, kept on the GPU.
import { StateBackup } from './state-backup';
import type { RunSwitch } from './run-switch';
import type { Trainer } from './trainer';
import type { TrainingState } from './training-state';

/** Steps between copies of the state for a diverged run to fall back on (a GPU-side copy, no readback). */
const BACKUP_EVERY = 4;

export interface Checkpointing {
  every: number;
  save: (state: TrainingState) => Promise<void>;
}

export class RunHandover {
  /** Steps submitted: the state the trainer's buffers hold once the queue drains. */
  private done: number;
  readonly backup: StateBackup;

  constructor(private readonly trainer: Trainer, control: RunSwitch, private readonly startStep: number, private readonly checkpoint?: Checkpointing) {
    this.done = startStep;
    control.serveSnapshots(async () => ({ step: this.done, params: await trainer.readParams() }));
    control.serveState(() => trainer.readState(this.done));
    this.backup = new StateBackup(trainer.device, trainer, startStep);
  }

  get stepsDone(): number {
    return this.done;
  }

  /** Step `step` is submitted; every few steps the GPU copies the state it leaves, to fall back on. */
  submitted(step: number): void {
    this.done = step;
    if (step % BACKUP_EVERY === 0) this.backup.save(step);
  }

  /** Whether the state so far is due as a checkpoint (saved once its steps' metrics are out). */
  get checkpointDue(): boolean {
    return !!this.checkpoint && this.done > this.startStep && this.done % this.checkpoint.every === 0;
  }

  async saveCheckpoint(): Promise<void> {
    await this.checkpoint!.save(await this.trainer.readState(this.done));
  }

  /**
   * The weights went non-finite: the last verified-good state goes back into the trainer's buffers (for
   * state requests) and is saved as the run's checkpoint; null if not even that one is finite.
   */
  async fallBack(): Promise<TrainingState | null> {
    const kept = await this.backup.restore();
    if (kept) {
      this.done = kept.step;
      await this.checkpoint?.save({ ...kept, params: kept.params.slice(), m: kept.m.slice(), v: kept.v.slice() });
    }
    return kept;
  }
}
