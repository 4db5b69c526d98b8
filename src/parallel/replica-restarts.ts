// Where a new generation of data-parallel replicas starts (after a lost replica, or a class member leaving or
// joining): with gradient all-reduce every step a survivor's state (all hold the same; with ZeRO the union of
// the shards), with local SGD every replica's own state at the last synchronisation all reached.
import type { TrainingState } from '../gpu/train-run';
import { survivorsState, type RestartPoint } from './recovery';
import { StepGroups } from './step-groups';
import { askAllShards, type ZeroStates } from './zero-states';

/** Where a generation of replicas starts. */
export interface ReplicaStart extends RestartPoint {
  /** Rank r's state; null: the seed's initial weights. */
  stateOf: ((rank: number) => TrainingState) | null;
}

/** How many times (100 ms apart) a join asks the held members for their state until its step's records are out. */
const JOIN_TRIES = 100;

/** What a restart with gradient all-reduce asks of the run. */
export interface AllReduceRun {
  world: number;
  lastStep: number;
  /** Rank r's current state (not its last verified-good one). */
  stateOf(rank: number): Promise<TrainingState | null>;
}

/**
 * Gradient all-reduce every step: every replica holds the run's state; the survivors' most advanced restarts
 * all (a generation that has not trained yet holds none: it starts at `started`). For a join (`failed` null)
 * the members hold at a step boundary (elastic.ts): their state is taken once that step's records are out, so
 * that no step is reported by one world and trained again by the next. ZeRO: each holds a shard of the
 * optimizer state; with all members there they are assembled, and without one the run goes back to the last
 * consistent state (zero-states.ts) and replays from there.
 */
export async function allReduceRestart(run: AllReduceRun, zero: ZeroStates | null, failed: number | null, started: ReplicaStart | null): Promise<ReplicaStart | null> {
  const ask = () => (!zero ? survivorsState(run.world, failed ?? -1, (r) => run.stateOf(r))
    : failed === null ? askAllShards(run.world, (r) => run.stateOf(r)) : Promise.resolve(zero.latest));
  let best = await ask();
  for (let tries = 0; failed === null && best && best.step !== run.lastStep && tries < JOIN_TRIES; tries++) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    best = await ask();
  }
  best ??= zero?.latest ?? null;
  return best ? { step: best.step, stateOf: () => best } : started;
}

/**
 * Local SGD: between synchronisations every replica's weights and optimizer state are its own, so a new
 * generation restarts all from their states at the last synchronisation (or the start) and replays the steps
 * since; a newcomer takes rank 0's (the weights are the same just after a synchronisation).
 */
export class LocalSyncs {
  private groups: StepGroups<TrainingState>;
  /** Every rank's state at the latest synchronisation all reached. */
  private last: TrainingState[] | null = null;

  constructor(world: number) {
    this.groups = new StepGroups<TrainingState>(world);
  }

  add(rank: number, state: TrainingState): void {
    this.last = this.groups.add(state.step, rank, state) ?? this.last;
  }

  /** A generation of `world` starts: states of the old one that never completed a synchronisation are dropped. */
  restart(world: number): void {
    this.groups = new StepGroups<TrainingState>(world);
  }

  /** Where the new generation's ranks start: `kept[r]` is the old rank of new rank r (null: a newcomer). */
  restartPoint(kept: (number | null)[]): ReplicaStart {
    const last = this.last;
    const states = last && kept.map((r) => last[r ?? 0]!);
    this.last = states;
    return { step: states?.[0]!.step ?? 0, stateOf: states && ((r) => states[r]!) };
  }
}
