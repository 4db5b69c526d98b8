// The coordinator's side of balance=speed: each replica's compute time per sample at every step of an
// epoch (its reports' compute phase over their rows), and, as the epoch's last step completes, the next
// epoch's shares planned from each replica's median of them (core/sharding.ts speedShares): the median,
// so that a step slowed by something else (a pipeline compiling, another program) moves no share.
// When the members change (an elastic run), the epoch the new generation starts in is re-planned from the
// speeds measured so far, a newcomer taken at the others' median; the next from the new world's own speeds.
import { median } from '../core/median';
import { speedShares } from '../core/sharding';
import type { EpochShares, StepReport } from './replica-protocol';

export class SpeedBalance {
  private readonly planned = new Map<number, number[]>();
  /** Per epoch: msPerSample[rank] = its compute ms per sample at each step seen in the latest world. */
  private readonly measured = new Map<number, number[][]>();
  private stepsPerEpoch = 0;
  /** Replicas in the latest generation measured. */
  private world = 0;

  constructor(private readonly epochs: number) {}

  /** The run's check has counted its steps: which steps end an epoch. */
  counted(totalSteps: number): void {
    this.stepsPerEpoch = totalSteps / this.epochs;
  }

  /** A step's reports, in rank order; when the step ends an epoch with another after it, that one's shares. */
  add(step: number, group: readonly StepReport[]): EpochShares | null {
    const epoch = group[0].epoch;
    this.world = group.length;
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

  /**
   * A new generation continues after `step`, its rank r continuing rank kept[r] of the last (null: a member
   * who joined). If the members changed, the epoch it starts in is re-planned from each kept member's speed:
   * its median over this epoch's steps so far, else its share of the epoch as planned.
   */
  regroup(kept: readonly (number | null)[], step: number): void {
    const before = this.world;
    this.world = kept.length;
    if (kept.length === before && kept.every((r, k) => r === k)) return;
    const epoch = Math.floor(step / this.stepsPerEpoch) + 1;
    const current = this.measured.get(epoch);
    this.measured.delete(epoch);
    const speeds = current?.every((ms) => ms.length > 0) ? current.map((ms) => 1 / median(ms)) : this.planned.get(epoch);
    const known = kept.flatMap((r) => (r === null ? [] : [speeds?.[r] ?? NaN]));
    if (speeds?.length !== before || known.length === 0 || known.some((v) => !Number.isFinite(v))) return;
    const newcomer = median(known);
    this.planned.set(epoch, speedShares(kept.map((r) => 1 / (r === null ? newcomer : speeds[r]))));
  }

  /** Every epoch's shares planned so far for `world` replicas, for a generation's inits. */
  plannedShares(world: number): EpochShares[] {
    return [...this.planned].filter(([, shares]) => shares.length === world).map(([epoch, shares]) => ({ epoch, shares }));
  }
}
