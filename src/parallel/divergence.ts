// What a run keeps when a step goes NaN or infinite, per mode (the halt itself is run.ts's): data
// parallelism asks the replicas for the last good state each held back; model parallelism keeps the
// newest restart point that the two steps after it showed good.
import type { Divergence } from '../core/metrics';
import type { TrainingState } from '../gpu/train-run';
import type { StepReport } from './replica-protocol';

/** What went non-finite at which step, and (data parallelism) on whose replicas. */
export type Diverged = Omit<Divergence, 'lr' | 'kept' | 'what'> & { what: 'loss' | 'gradient' };

/** A data-parallel step that went non-finite: its first culprit's value, naming the replicas whose own loss or gradient it was. */
export function replicaDivergence(step: number, group: StepReport[]): Diverged {
  const flagged = group.filter((r) => r.nonFinite);
  // 'sum': only the all-reduced gradient was non-finite there, through another replica (or an overflow).
  const culprits = flagged.filter((r) => r.nonFinite!.what !== 'sum');
  const first = (culprits[0] ?? flagged[0]).nonFinite!;
  return { step, what: first.what === 'loss' ? 'loss' : 'gradient', value: first.value, ranks: culprits.map((r) => r.rank) };
}

/**
 * An elastic run (a class): the member whose vector made step `step` non-finite while the others' were finite,
 * with why, if one can be named: one whose own loss or gradient was non-finite, else the ring neighbour that
 * sent the first chunk a replica could not take (the earliest receive: those after it only passed it on). Null
 * when every replica's own loss or gradient went non-finite (the run diverged) or none is named. On the ring
 * a member is judged by its neighbour's word; with star the coordinator checks every vector itself.
 */
export function badSender(step: number, group: StepReport[]): { rank: number; why: string } | null {
  const own = group.filter((r) => r.nonFinite && r.nonFinite.what !== 'sum');
  if (own.length === group.length) return null;
  if (own.length > 0) {
    const { what, value } = own[0].nonFinite!;
    return { rank: own[0].rank, why: `its ${what} at step ${step} was ${value} where the others' were finite` };
  }
  const [first] = group.filter((r) => r.badInput).sort((a, b) => a.badInput!.at - b.badInput!.at);
  if (!first) return null;
  return {
    rank: (first.rank - 1 + group.length) % group.length,
    why: `it sent ${first.badInput!.what} to replica ${first.rank} in step ${step}'s all-reduce`,
  };
}

/**
 * Gradient all-reduce: none of the replicas that saw the non-finite step took its update, and each holds
 * its last good state, from before the two steps before it at the latest (those that saw nothing went
 * on, so their state is not asked for). Replicas not at fault are asked first: a fault in one replica's
 * own state would show in its copy too. Null when none answers.
 */
export async function lastGoodOfReplicas(group: StepReport[], ask: (rank: number) => Promise<TrainingState | null>): Promise<TrainingState | null> {
  const flagged = group.filter((r) => r.nonFinite);
  const bystanders = flagged.filter((r) => r.nonFinite!.what === 'sum');
  for (const r of [...bystanders, ...flagged.filter((x) => !bystanders.includes(x))]) {
    const kept = await ask(r.rank);
    if (kept) return kept;
  }
  return null;
}

/**
 * Model parallelism: the restart points (whole-model states) judged by the two steps after each, whose
 * losses must be finite and not soaring, since a state can be poisoned a step or two before its loss shows it.
 */
export class GoodStates {
  /** Restart points not yet judged. */
  private pending: TrainingState[] = [];
  private readonly sane = new Set<number>();
  private readonly soaring = new Set<number>();
  private newest: TrainingState | null = null;

  /** The newest restart point the steps after it showed good. */
  get lastGood(): TrainingState | null {
    return this.newest;
  }

  offer(point: TrainingState): void {
    this.pending.push(point);
    this.judge();
  }

  /** Step `step`'s loss was finite, and far above the first one when `soaring`. */
  stepLoss(step: number, soaring: boolean): void {
    (soaring ? this.soaring : this.sane).add(step);
    this.judge();
  }

  private judge(): void {
    this.pending = this.pending.filter((p) => {
      const after = [p.step + 1, p.step + 2];
      if (after.some((t) => this.soaring.has(t))) return false;
      if (!after.every((t) => this.sane.has(t))) return true;
      if (!this.newest || p.step > this.newest.step) this.newest = p;
      return false;
    });
  }
}
