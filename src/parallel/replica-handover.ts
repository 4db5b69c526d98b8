// What a data-parallel replica hands over of its state: its weights and whole state on request (live views;
// a replaced replica starts from a survivor's), rank 0's checkpoints, local SGD's state at each
// synchronisation, and after a divergence the last good state, which gradient all-reduce keeps on the GPU.
import { LossWatch } from '../core/metrics';
import type { RunSwitch } from '../gpu/run-switch';
import { StateBackup } from '../gpu/state-backup';
import { Trainer } from '../gpu/trainer';
import type { Zero3Trainer } from '../gpu/zero3-trainer';
import type { TrainingState } from '../gpu/training-state';
import type { ZeroShard } from '../gpu/zero-shard';
import { RESTART_EVERY } from './checkpoints';
import { postState, type PostToCoordinator, type WorkerInit } from './worker-messages';

export class ReplicaHandover {
  /** Steps whose update has been submitted: the state the buffers hold once the queue drains. */
  private completed: number;
  /**
   * With gradient all-reduce every replica holds the run's state: each keeps its last good one, judged by
   * its own shard's losses. Local SGD falls back to the last synchronisation instead.
   */
  private readonly lastGood: StateBackup | null;
  private readonly watch: LossWatch;

  constructor(
    private readonly trainer: Trainer | Zero3Trainer, private readonly control: RunSwitch, private readonly post: PostToCoordinator,
    private readonly init: WorkerInit, private readonly gradientAllreduce: boolean,
    /** ZeRO: this replica holds its shard of the optimizer state only; the coordinator assembles the whole. */
    private readonly zero: ZeroShard | null = null,
  ) {
    this.completed = init.resume?.step ?? 0;
    control.serveSnapshots(async () => ({ step: this.completed, params: await trainer.readParams() }));
    control.serveState(() => this.readState(this.completed));
    // ZeRO falls back on the consistent states the coordinator assembles from every shard instead.
    this.lastGood = gradientAllreduce && !zero && trainer instanceof Trainer ? new StateBackup(trainer.device, trainer, this.completed) : null;
    this.watch = new LossWatch(init.config.lr);
  }

  /** Gradient all-reduce: a GPU copy of the state after `step`, taken in queue order, to fall back on. */
  keep(step: number): void {
    this.lastGood?.save(step);
  }

  /** Gradient all-reduce: step `step`'s loss was finite; a copy from before a soaring loss is not a good one. */
  judge(step: number, loss: number): void {
    if (this.watch.tooHigh(loss)) this.lastGood?.rejected(step);
    else this.lastGood?.verified(step);
  }

  /** The weights and optimizer state after `step`; with ZeRO, the state of this replica's shard, zeros elsewhere. */
  private async readState(step: number): Promise<TrainingState> {
    if (!this.zero) return this.trainer.readState(step);
    const [params, moments] = await Promise.all([this.trainer.readParams(), this.zero.readMoments()]);
    return { step, params, ...moments };
  }

  /** Step `step`'s update is submitted. */
  updated(step: number): void {
    this.completed = step;
  }

  /** Every replica's state just after a synchronisation: after a failure all restart from these and replay. */
  async postSyncState(step: number): Promise<void> {
    postState(this.post, 'sync-state', this.init.rank, await this.trainer.readState(step));
  }

  /**
   * With gradient all-reduce every replica holds the same state, so rank 0's is the run's checkpoint. With
   * ZeRO every rank sends its shard's, at least every RESTART_EVERY steps: the coordinator assembles them
   * into the consistent state that checkpoints, a restart after a lost replica and a divergence take.
   */
  async checkpointIfDue(step: number): Promise<void> {
    const every = this.zero ? Math.min(RESTART_EVERY, this.init.checkpointEvery ?? RESTART_EVERY) : this.init.checkpointEvery;
    if ((this.init.rank !== 0 && !this.zero) || !this.gradientAllreduce || !every || step % every !== 0) return;
    postState(this.post, 'checkpoint', this.init.rank, await this.readState(step));
  }

  /**
   * Diverged, and no update taken: the coordinator ends the run, asking for the last good state; or, in a
   * class whose member sent the bad vector, goes on from the state this replica holds (`current`).
   */
  diverged(): void {
    const lastGood = this.lastGood;
    if (lastGood) this.control.serveState((current) => (current ? this.trainer.readState(this.completed) : lastGood.restore()));
    else if (this.zero) this.control.serveState((current) => (current ? this.readState(this.completed) : Promise.resolve(null)));
  }
}
