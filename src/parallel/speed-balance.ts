// The coordinator's side of balance=speed: each replica's compute time per sample at every step of an
// epoch (its reports' compute phase over their rows), and, as the epoch's last step completes, the next
// epoch's shares planned from each replica's median of them (core/sharding.ts speedShares): the median,
// so that a step slowed by something else (a pipeline compiling, another program) moves no share.
// Shares are for one world size: a generation of another size (an elastic run's) cuts its first epoch
// equally, is measured afresh, and has the next epoch planned from its own speeds.
import { speedShares } from '../core/sharding';
import type { EpochShares, StepReport } from './replica-protocol';

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

export class SpeedBalance {
  private readonly planned = new Map<number, number[]>();
  /** Per epoch: msPerSample[rank] = its compute ms per sample at each step seen in the latest world. */
  private readonly measured = new Map<number, number[][]>();
  private stepsPerEpoch = 0;

  constructor(private readonly epochs: number) {}

  /** The run's check has counted its steps: which steps end an epoch. */
  counted(totalSteps: number): void {
    this.stepsPerEpoch = totalSteps / this.epochs;
  }

  /** A step's reports, in rank order; when the step ends an epoch with another after it, that one's shares. */
  add(step: number, group: readonly StepReport[]): EpochShares | null {
    const epoch = group[0].epoch;
    let msPerSample = this.measured.get(epoch);
    if (msPerSample?.length !== group.length) {
      msPerSample = group.map(() => []);
      this.measured.set(epoch, msPerSample);
    }
    group.forEach((r, k) => msPerSample[k].push(r.times.computeMs / r.rows));
    if (step !== epoch * this.stepsPerEpoch || epoch >= this.epochs) return null;
    this.measured.delete(epoch);
    const shares = speedShares(msPerSample.map(median));
    this.planned.set(epoch + 1, shares);
    return { epoch: epoch + 1, shares };
  }

  /** Every epoch's shares planned so far for `world` replicas, for a generation's inits. */
  plannedShares(world: number): EpochShares[] {
    return [...this.planned].filter(([, shares]) => shares.length === world).map(([epoch, shares]) => ({ epoch, shares }));
  }
}
