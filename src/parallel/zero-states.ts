// The coordinator's side of ZeRO's state (zero ≥ 1): no replica holds the whole optimizer state, so the
// run's state is the union of the shards. Every replica sends its shard's state after the same steps (at
// least every RESTART_EVERY, and at each checkpoint asked for); once a step's are all in, they make the
// consistent state that checkpoints save, a restart after a lost replica begins from, and a divergence keeps.
import { shardOf } from '../core/zero-shards';
import type { ParamsSnapshot } from '../gpu/run-switch';
import type { TrainingState } from '../gpu/training-state';
import type { RunOptions } from './run';
import { StepGroups } from './step-groups';

/**
 * The whole state from each rank's (in rank order, of one step): rank r's shard of m and v from rank r, and of
 * the weights (at stage 3 a rank holds no others; below it every rank holds them all, the same).
 */
export function mergeShards(states: readonly TrainingState[]): TrainingState {
  const world = states.length;
  const P = states[0].params.length;
  const [params, m, v] = [new Float32Array(P), new Float32Array(P), new Float32Array(P)];
  states.forEach((s, rank) => {
    const { lo, hi } = shardOf(rank, world, P);
    params.set(s.params.subarray(lo, hi), lo);
    m.set(s.m.subarray(lo, hi), lo);
    v.set(s.v.subarray(lo, hi), lo);
  });
  return { step: states[0].step, params, m, v };
}

/** Stage 3's live weights: every rank's shard of its latest (the oldest step among them names the whole). */
export async function mergeSnapshots(world: number, ask: (rank: number) => Promise<ParamsSnapshot | null>): Promise<ParamsSnapshot | null> {
  const parts = await Promise.all(Array.from({ length: world }, (_, r) => ask(r)));
  if (parts.some((p) => !p)) return null;
  const params = new Float32Array(parts[0]!.params.length);
  parts.forEach((p, rank) => {
    const { lo, hi } = shardOf(rank, world, params.length);
    params.set(p!.params.subarray(lo, hi), lo);
  });
  return { step: Math.min(...parts.map((p) => p!.step)), params };
}

/** Every rank's state (current: as it holds it now), assembled; null unless all answer after the same step. */
export async function askAllShards(world: number, ask: (rank: number) => Promise<TrainingState | null>): Promise<TrainingState | null> {
  const states = await Promise.all(Array.from({ length: world }, (_, r) => ask(r)));
  if (states.some((s) => !s || s.step !== states[0]!.step)) return null;
  return mergeShards(states as TrainingState[]);
}

/** Assembled states kept: enough that one two steps older than a divergence is among them. */
const KEPT = 4;

export class ZeroStates {
  private parts: StepGroups<TrainingState>;
  /** The newest assembled states, oldest first. */
  private readonly recent: TrainingState[] = [];

  /** `start`: the state the run starts from (null: initial weights, no state to restart from but the start). */
  constructor(world: number, start: TrainingState | null, private readonly checkpoint: RunOptions['checkpoint']) {
    this.parts = new StepGroups(world);
    if (start) this.recent.push(start);
  }

  /** The newest consistent state. */
  get latest(): TrainingState | null {
    return this.recent.at(-1) ?? null;
  }

  /**
   * The newest state a divergence at step `diverged` leaves good: as a replica's good-state backup judges
   * (gpu/state-backup.ts), one whose next two steps' losses were read back finite, so at most diverged − 3.
   */
  goodBefore(diverged: number): TrainingState | null {
    return this.recent.findLast((s) => s.step <= diverged - 3) ?? null;
  }

  /** Rank `rank`'s shard state after its step; saved as the checkpoint when it completes a step the interval asks for. */
  add(rank: number, part: TrainingState): void {
    const group = this.parts.add(part.step, rank, part);
    if (!group) return;
    const whole = mergeShards(group);
    this.recent.push(whole);
    if (this.recent.length > KEPT) this.recent.shift();
    if (this.checkpoint && part.step % this.checkpoint.every === 0) this.checkpoint.save(whole);
  }

  /** A new generation of `world` replicas sends its parts afresh. */
  restart(world: number): void {
    this.parts = new StepGroups(world);
  }
}
