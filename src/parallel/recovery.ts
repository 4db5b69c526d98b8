// Recovery from a failed member: the whole generation restarts, every rank, from the run's last consistent
// state (which each mode finds its own way), within a budget of restarts. A failure before the generation
// was ready, or one restart too many, ends the run instead, naming the member.
import type { RunConfig } from '../core/config';
import type { MetricRecord } from '../core/metrics';
import type { TrainingState } from '../gpu/train-run';
import type { RunLifecycle } from './lifecycle';
import { workerName } from './members';

/** Restarts allowed in one run before a failure stops it (a fault that repeats is not transient). */
const MAX_RESTARTS = 3;

/** Where a new generation begins: after `step` steps, from whatever state each mode keeps. */
export interface RestartPoint {
  step: number;
}

export interface RecoveryDeps<From extends RestartPoint> {
  config: RunConfig;
  world: number;
  lifecycle: RunLifecycle;
  lastStep(): number;
  emit(record: MetricRecord): void;
  /** Ends the failed generation's members. */
  retire(): void;
  /** Where to restart after member `failed` failed; null when no member could hand over a state. */
  restartPoint(failed: number): Promise<From | null>;
  /** Starts a new generation there. */
  launch(from: From): void;
}

export class Recovery<From extends RestartPoint> {
  private restarts = 0;

  constructor(private readonly run: RecoveryDeps<From>) {}

  /**
   * Member `rank` crashed, failed (`what` says how) or went silent. The run is deterministic, so a run
   * restarted from a consistent state ends with the checksum it would have had.
   */
  async onFailure(rank: number, what: string): Promise<void> {
    const { lifecycle, config } = this.run;
    // Recovering, halting or ended: the failed generation is being replaced, or the run is ending anyway.
    if (!lifecycle.is('starting', 'ready', 'training', 'paused')) return;
    const name = workerName(config, rank);
    const message = `${name} ${what}`;
    if (lifecycle.is('starting')) {
      this.stop(`${name} could not start, so the run did not start: ${what.replace(/^(failed|crashed): /, '')}`);
      return;
    }
    if (this.run.world === 1 || this.restarts >= MAX_RESTARTS) {
      // A single replica has no one to take over from.
      const spent = this.restarts >= MAX_RESTARTS;
      this.stop(spent ? `${message} (after ${MAX_RESTARTS} restarts); the run stopped at step ${this.run.lastStep()}, its metrics are kept` : message);
      return;
    }
    this.restarts++;
    lifecycle.to('recovering');
    const from = await this.run.restartPoint(rank);
    // Stopped, or halting after a step the survivors completed meanwhile.
    if (!lifecycle.is('recovering')) return;
    this.run.retire();
    if (!from) {
      this.stop(`${message}, and no other replica could hand over its state`);
      return;
    }
    this.run.emit({ type: 'fault', step: this.run.lastStep(), rank, message, restartedFrom: from.step });
    lifecycle.to('starting');
    this.run.launch(from);
  }

  private stop(message: string): void {
    this.run.lifecycle.end({ type: 'stopped', step: this.run.lastStep(), reason: 'error', message });
  }
}

/** The most advanced state the members other than `failed` hand over (null if none does). */
export async function survivorsState(world: number, failed: number, ask: (rank: number) => Promise<TrainingState | null>): Promise<TrainingState | null> {
  const answers = await Promise.all(Array.from({ length: world }, (_, r) => (r === failed ? null : ask(r))));
  return answers.reduce<TrainingState | null>((a, b) => (b && (!a || b.step > a.step) ? b : a), null);
}
