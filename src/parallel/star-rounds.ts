// The coordinator's side of the star all-reduce: each round, every replica's vector comes in, and once all
// are there each replica gets back the rank-ordered sum (allreduce.ts's starSum), a copy of its own.
import { starSum } from './allreduce';
import type { FromReplica, ToReplica } from './replica-protocol';
import { StepGroups } from './step-groups';

type StarVector = Extract<FromReplica, { type: 'star' }>;

export class StarRounds {
  private readonly rounds: StepGroups<Float32Array>;

  constructor(private readonly world: number, private readonly send: (rank: number, m: ToReplica, transfer: Transferable[]) => void) {
    this.rounds = new StepGroups(world);
  }

  add(m: StarVector): void {
    const vectors = this.rounds.add(m.round, m.rank, m.data);
    if (!vectors) return;
    const sum = starSum(vectors, m.scale);
    for (let rank = 0; rank < this.world; rank++) {
      const copy = sum.slice();
      this.send(rank, { type: 'star', round: m.round, data: copy }, [copy.buffer]);
    }
  }

  /** A new generation numbers its rounds from the start again. */
  clear(): void {
    this.rounds.clear();
  }
}
