// Elastic membership, as torchrun and Horovod Elastic do it, for a data-parallel run whose host cannot start a
// member in its rank again (a class; members.ts): a member that leaves, fails, goes silent or is removed for a
// bad message is dropped, and the others redo the steps after the run's last consistent state as a smaller
// world; members who join enter at the next step boundary as a larger one. Each change is a new generation
// whose inits carry the new world (the epoch plan is built for it from there on) and a membership record per
// member; the global batch stays the same.
import type { MembershipRecord, MetricRecord } from '../core/metrics';
import type { RunLifecycle } from './lifecycle';
import { ranks } from './links';
import type { Membership } from './members';
import type { RestartPoint } from './recovery';

export interface ElasticDeps<From extends RestartPoint> {
  membership: Membership;
  lifecycle: RunLifecycle;
  /** Replicas of the current generation. */
  world(): number;
  lastStep(): number;
  emit(record: MetricRecord): void;
  /** Holds the current generation's members at the next step boundary. */
  hold(): void;
  /** Ends the current generation's members. */
  retire(): void;
  /** Whether a world of this many replicas fits the run (the config's bounds, every replica given samples). */
  fits(world: number): boolean;
  /**
   * The state the next generation starts from: new rank r continues rank `kept[r]` of the current generation
   * (null: a newcomer); null when no state can be had.
   */
  restartPoint(lost: number | null, kept: (number | null)[]): Promise<From | null>;
  launch(from: From, world: number): void;
}

type Change = Pick<MembershipRecord, 'change' | 'name' | 'rank' | 'reason'>;

export class Elastic<From extends RestartPoint> {
  private changes = 0;

  constructor(private readonly run: ElasticDeps<From>) {
    run.membership.onJoin(() => void this.admit());
  }

  /** How many members left, were removed or joined so far. */
  get count(): number {
    return this.changes;
  }

  /** Member `rank` left, failed or went silent (`left`), or sent what the run cannot take (`removed`); `why` says which. */
  async lost(rank: number, why: string, change: 'left' | 'removed'): Promise<void> {
    const { lifecycle, membership } = this.run;
    // Recovering, halting or ended: a change is under way (it meets this member's absence when it spawns), or the run is ending.
    if (!lifecycle.is('starting', 'ready', 'training', 'paused')) return;
    // A member with several workers leaves with all of them: one change, named by its first rank.
    const group = membership.together?.(rank) ?? [rank];
    const first = Math.min(...group);
    const name = membership.names()[first] ?? `replica ${first}`;
    const kept = ranks(this.run.world()).filter((r) => !group.includes(r));
    if (kept.length === 0 && membership.waiting() === 0) {
      membership.drop(first, why);
      this.stop(`${name} ${change === 'left' ? 'left' : 'was removed'} (${why}), and no member is left to go on`);
      return;
    }
    await this.change(kept, { change, name, rank: first, reason: why });
  }

  /** The generation began training: members who joined while it started come in now. */
  settled(): void {
    if (this.run.membership.waiting() > 0) void this.admit();
  }

  /** Members are waiting: they enter at the next step boundary, if the run has room for them. */
  private async admit(): Promise<void> {
    // Starting or changing: the change under way or the generation's start (settled) takes them in.
    if (!this.run.lifecycle.is('training', 'paused')) return;
    const world = this.run.world();
    if (!this.run.fits(world + this.offers()[0])) return;
    await this.change(ranks(world), null);
  }

  private async change(kept: number[], lost: Change | null): Promise<void> {
    const { lifecycle, membership } = this.run;
    lifecycle.to('recovering');
    // Joiners come in at a step boundary: the members hold there, where the others would wait for the lost one anyway.
    if (!lost) this.run.hold();
    const offers = this.offers();
    let admitting = 0;
    let entering = 0;
    while (admitting < offers.length && this.run.fits(kept.length + entering + offers[admitting])) entering += offers[admitting++];
    const from = await this.run.restartPoint(lost?.rank ?? null, [...kept, ...new Array<null>(entering).fill(null)]);
    // Stopped, or halting after a step the others completed meanwhile.
    if (!lifecycle.is('recovering')) return;
    this.run.retire();
    if (lost) membership.drop(lost.rank, lost.reason);
    if (!from) {
      this.stop(`${lost ? `${lost.name} ${lost.reason}, and` : 'a member joined, but'} no member could hand over the run's state`);
      return;
    }
    // Members who left while the state was gathered are no longer waiting: fewer may come in.
    const joined = membership.admit(admitting);
    const world = kept.length + joined.length;
    if (lost) this.record(from.step, world, lost);
    joined.forEach((name, k) => this.record(from.step, world, { change: 'joined', name, rank: kept.length + k, reason: '' }));
    lifecycle.to('starting');
    this.run.launch(from, world);
  }

  /** The ranks each waiting member brings. */
  private offers(): readonly number[] {
    const { membership } = this.run;
    return membership.offers?.() ?? new Array<number>(membership.waiting()).fill(1);
  }

  private record(step: number, world: number, c: Change): void {
    this.changes++;
    const what = c.change === 'joined' ? `${c.name} joined` : `${c.name} ${c.change === 'left' ? 'left' : 'was removed'} (${c.reason})`;
    const message = `${what}: ${world} replica${world === 1 ? '' : 's'} train from step ${step + 1} on, each global batch split over them; `
      + 'from here on the run is not claimed to train exactly like one device';
    this.run.emit({ type: 'membership', step, ...c, world, message });
  }

  private stop(message: string): void {
    this.run.lifecycle.end({ type: 'stopped', step: this.run.lastStep(), reason: 'error', message });
  }
}
