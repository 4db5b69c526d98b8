// The coordinator's side of balance=speed: each replica's compute time per sample over the steps of an
// epoch (its reports' compute phase and rows), and, as the epoch's last step completes, the next epoch's
// shares planned from them (core/sharding.ts speedShares) for every replica to cut that epoch's batches.
// Shares are for one world size: a generation of another size (an elastic run's) cuts its first epoch
// equally, is measured afresh, and has the next epoch planned from its own speeds.
import { speedShares } from '../core/sharding';
import type { EpochShares, StepReport } from './replica-protocol';

export class SpeedBalance {
  private readonly planned = new Map<number, number[]>();
  /** Per epoch: each rank's compute ms and rows over the steps seen in the latest world. */
  private readonly measured = new Map<number, { ms: number[]; rows: number[] }>();
  private stepsPerEpoch = 0;

  constructor(private readonly epochs: number) {}

  /** The run's check has counted its steps: which steps end an epoch. */
  counted(totalSteps: number): void {
    this.stepsPerEpoch = totalSteps / this.epochs;
  }

  /** A step's reports, in rank order; when the step ends an epoch with another after it, that one's shares. */
  add(step: number, group: readonly StepReport[]): EpochShares | null {
    const epoch = group[0].epoch;
    const world = group.length;
    let sums = this.measured.get(epoch);
    if (sums?.ms.length !== world) {
      sums = { ms: new Array<number>(world).fill(0), rows: new Array<number>(world).fill(0) };
      this.measured.set(epoch, sums);
    }
    group.forEach((r, k) => {
      sums.ms[k] += r.times.computeMs;
      sums.rows[k] += r.rows;
    });
    if (step !== epoch * this.stepsPerEpoch || epoch >= this.epochs) return null;
    const shares = speedShares(sums.ms.map((ms, k) => ms / sums.rows[k]));
    this.planned.set(epoch + 1, shares);
    return { epoch: epoch + 1, shares };
  }

  /** Every epoch's shares planned so far for `world` replicas, for a generation's inits. */
  plannedShares(world: number): EpochShares[] {
    return [...this.planned].filter(([, shares]) => shares.length === world).map(([epoch, shares]) => ({ epoch, shares }));
  }
}
