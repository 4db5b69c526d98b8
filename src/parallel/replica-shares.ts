// A replica's side of balance=speed: the shares of each epoch, from its init (every epoch the coordinator
// has planned so far) or from the coordinator as each epoch ends, which it awaits before that epoch's
// first step. The epoch a generation starts in is cut equally unless planned: a fresh run's first epoch,
// or one whose predecessor's end the coordinator did not see (a run resumed from a checkpoint).
import { equalShares } from '../core/sharding';
import type { Inbox } from './ports';
import type { EpochShares, ToReplica } from './replica-protocol';

export class ReplicaShares {
  private readonly known = new Map<number, number[]>();

  constructor(world: number, private readonly inbox: Inbox<ToReplica>, firstEpoch: number, given: EpochShares[] = []) {
    given.forEach((s) => this.known.set(s.epoch, s.shares));
    if (!this.known.has(firstEpoch)) this.known.set(firstEpoch, equalShares(world));
  }

  /** The shares of `epoch`, which arrive() has waited for. */
  of(epoch: number): number[] {
    const shares = this.known.get(epoch);
    if (!shares) throw new Error(`balance: no shares for epoch ${epoch}`);
    return shares;
  }

  /** Resolves once the shares of `epoch` are here. */
  async arrive(epoch: number): Promise<void> {
    if (this.known.has(epoch)) return;
    const m = await this.inbox.next((x) => x.type === 'shares' && x.epoch === epoch);
    this.known.set(epoch, (m as Extract<ToReplica, { type: 'shares' }>).shares);
  }
}
