// The coordinator's side of the star all-reduce: each round, every replica's vector comes in, and once all
// are there each replica gets back the rank-ordered sum (allreduce.ts's starSum), a copy of its own. A vector
// of the wrong length or type is refused on receipt; in an elastic run (a class) so may be a round where some
// replicas' vectors are non-finite and the others' are not: no replica gets that sum, and the sender is named.
// Each replica's rounds come in order, so a vector marked with another round (or none) is refused too: it
// would never complete a round, and the all-reduce would wait for it forever.
import { firstNonFinite } from '../core/metrics';
import { starSum } from './allreduce';
import type { FromReplica, ToReplica } from './replica-protocol';
import { StepGroups } from './step-groups';

type StarVector = Extract<FromReplica, { type: 'star' }>;

export class StarRounds {
  private rounds = new StepGroups<Float32Array>(0);
  private world = 0;
  /** The round each rank's next vector belongs to. */
  private nextRound: number[] = [];
  private judgeFinite = () => false;

  /**
   * `lengths`: those a vector may have, the model's first (ZeRO stage 3 also sends each layer's); `refuse` hears
   * who sent what cannot be summed (`nonFinite`: for its values).
   */
  constructor(
    private readonly lengths: readonly number[], private readonly send: (rank: number, m: ToReplica, transfer: Transferable[]) => void,
    private readonly refuse: (rank: number, why: string, nonFinite: boolean) => void,
  ) {}

  add(m: StarVector): void {
    const { data } = m;
    const round = this.nextRound[m.rank] ?? 0;
    if (m.round !== round || !(data instanceof Float32Array) || !this.lengths.includes(data.length) || !Number.isFinite(m.scale)) {
      const what = m.round !== round ? `a vector marked round ${typeof m.round === 'number' ? m.round : 'none'} where its round ${round} belongs`
        : !(data instanceof Float32Array) ? 'a vector that is not float32'
        : !this.lengths.includes(data.length) ? `a vector of ${data.length} values where the model has ${this.lengths[0]} parameters` : `a scale of ${m.scale}`;
      this.refuse(m.rank, `sent ${what} to the star all-reduce`, false);
      return;
    }
    this.nextRound[m.rank] = round + 1;
    const vectors = this.rounds.add(m.round, m.rank, data);
    if (!vectors) return;
    const bad = vectors.flatMap((v, rank) => (firstNonFinite(v) >= 0 ? [rank] : []));
    if (bad.length > 0 && bad.length < this.world && this.judgeFinite()) {
      const value = vectors[bad[0]][firstNonFinite(vectors[bad[0]])];
      this.refuse(bad[0], `sent non-finite values (${value}) to the star all-reduce where the others' were finite`, true);
      return;
    }
    const sum = starSum(vectors, m.scale);
    for (let rank = 0; rank < this.world; rank++) {
      const copy = sum.slice();
      this.send(rank, { type: 'star', round: m.round, data: copy }, [copy.buffer]);
    }
  }

  /**
   * A new generation of `world` replicas numbers its rounds from the start again. `judgeFinite`: whether a
   * member's non-finite vector among finite ones is refused now (an elastic run), rather than summed into a
   * non-finite sum that halts the run as a divergence.
   */
  start(world: number, judgeFinite: () => boolean): void {
    this.world = world;
    this.nextRound = [];
    this.judgeFinite = judgeFinite;
    this.rounds = new StepGroups<Float32Array>(world);
  }
}
