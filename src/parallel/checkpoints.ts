// Checkpoints of a model split across workers: every stage sends its part of the state after the same
// steps, and once all parts of a step are in they make the whole model's consistent state (where a
// restart begins); of those, the first on or after each multiple of the interval asked for is saved.
// (Data parallelism needs none of this: rank 0 holds the whole state and sends it when asked.)
import { assembleParts, type ModelParallelPlan } from '../core/model-parallel';
import type { ModelLayout } from '../core/model';
import type { TrainingState } from '../gpu/train-run';
import type { RunOptions } from './run';
import { StepGroups } from './step-groups';

/** Most steps between the consistent states a restart replays from (fewer when checkpoints are asked for more often). */
export const RESTART_EVERY = 16;

/** A copy to hand out: the original stays where a restart may still need it. */
export function copyState(s: TrainingState): TrainingState {
  return { step: s.step, params: s.params.slice(), m: s.m.slice(), v: s.v.slice() };
}

export class ConsistentStates {
  /** Steps between the stages' parts (the init's checkpointEvery). */
  readonly every: number;
  private readonly parts: StepGroups<TrainingState>;
  private newest: TrainingState;
  private nextSave: number;

  /** `start`: the whole model's state the run starts from. */
  constructor(
    private readonly model: ModelLayout, private readonly plan: ModelParallelPlan, start: TrainingState,
    private readonly checkpoint: RunOptions['checkpoint'],
  ) {
    this.every = Math.min(RESTART_EVERY, checkpoint?.every ?? RESTART_EVERY);
    this.parts = new StepGroups(plan.workers.length);
    this.newest = start;
    this.nextSave = checkpoint ? this.after(start.step) : Infinity;
  }

  /** The newest consistent state: where a restart begins. */
  get latest(): TrainingState {
    return this.newest;
  }

  /** Stage `rank`'s part after its step; the whole model's state once it completes that step's parts, else null. */
  add(rank: number, part: TrainingState): TrainingState | null {
    const group = this.parts.add(part.step, rank, part);
    if (!group) return null;
    const whole = (pick: (s: TrainingState) => Float32Array) => assembleParts(this.model, this.plan, group.map(pick));
    this.newest = { step: part.step, params: whole((s) => s.params), m: whole((s) => s.m), v: whole((s) => s.v) };
    if (this.checkpoint && part.step >= this.nextSave) {
      this.nextSave = this.after(part.step);
      this.checkpoint.save(copyState(this.newest));
    }
    return this.newest;
  }

  /** A new generation sends its parts again. */
  clear(): void {
    this.parts.clear();
  }

  /** The next multiple of the interval asked for after `step`. */
  private after(step: number): number {
    return step - (step % this.checkpoint!.every) + this.checkpoint!.every;
  }
}
