// The coordinator's side of ZeRO's state (zero ≥ 1): no replica holds the whole optimizer state, so the
// run's state is the union of the shards. Every replica sends its shard's state after the same steps (at
// least every RESTART_EVERY, and at each checkpoint asked for); once a step's are all in, they make the
// consistent state that checkpoints save, a restart after a lost replica begins from, and a divergence keeps.
import { shardOf } from '../core/zero-shards';
import type { TrainingState } from '../gpu/training-state';
import type { RunOptions } from './run';
import { StepGroups } from './step-groups';

/** The whole state from each rank's (in rank order, of one step): rank r's shard of m and v from rank r. */
export function mergeShards(states: readonly TrainingState[]): TrainingState {
  const world = states.length;
  const P = states[0].params.length;
  const m = new Float32Array(P);
  const v = new Float32Array(P);
  states.forEach((s, rank) => {
    const { lo, hi } = shardOf(rank, world, P);
    m.set(s.m.subarray(lo, hi), lo);
    v.set(s.v.subarray(lo, hi), lo);
  });
  return { step: states[0].step, params: states[0].params, m, v };
}

/** Every rank's state (current: as it holds it now), assembled; null unless all answer after the same step. */
export async function askAllShards(world: number, ask: (rank: number) => Promise<TrainingState | null>): Promise<TrainingState | null> {
  const states = await Promise.all(Array.from({ length: world }, (_, r) => ask(r)));
  if (states.some((s) => !s || s.step !== states[0]!.step)) return null;
  return mergeShards(states as TrainingState[]);
}

export class ZeroStates {
  private parts: StepGroups<TrainingState>;
  private newest: TrainingState | null;

  /** `start`: the state the run starts from (null: initial weights, no state to restart from but the start). */
  constructor(world: number, start: TrainingState | null, private readonly checkpoint: RunOptions['checkpoint']) {
    this.parts = new StepGroups(world);
    this.newest = start;
  }

  /** The newest consistent state. */
  get latest(): TrainingState | null {
    return this.newest;
  }

  /** Rank `rank`'s shard state after its step; saved as the checkpoint when it completes a step the interval asks for. */
  add(rank: number, part: TrainingState): void {
    const group = this.parts.add(part.step, rank, part);
    if (!group) return;
    this.newest = mergeShards(group);
    if (this.checkpoint && part.step % this.checkpoint.every === 0) this.checkpoint.save(this.newest);
  }

  /** A new generation of `world` replicas sends its parts afresh. */
  restart(world: number): void {
    this.parts = new StepGroups(world);
  }
}
