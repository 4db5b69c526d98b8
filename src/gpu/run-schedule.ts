// The steps a run takes, in order: each epoch's seeded plan (core/sharding), steps numbered from 1 over the
// whole run, leaving out those a resumed or restarted run has already done.
import { epochPlan, type EpochPlan, type ShardSpec } from '../core/sharding';

export interface ScheduledStep {
  /** 1-based over the whole run. */
  step: number;
  /** 0-based within its epoch: the plan's step. */
  index: number;
}

export interface ScheduledEpoch {
  /** 1-based. */
  epoch: number;
  plan: EpochPlan;
  /** Its steps still to take. */
  steps: Iterable<ScheduledStep>;
}

export class RunSchedule {
  readonly stepsPerEpoch: number;
  readonly totalSteps: number;
  /** Sizes (steps, each rank's rows at each step) do not depend on the epoch, so epoch 1's plan stands for all. */
  private readonly first: EpochPlan;

  constructor(
    private readonly spec: ShardSpec, private readonly epochCount: number, private readonly labels: Uint8Array,
    /** Steps the run starts after (a resumed run's, or a restarted worker's). */
    readonly doneSteps = 0,
  ) {
    this.first = epochPlan(spec, 1, labels);
    this.stepsPerEpoch = this.first.steps;
    this.totalSteps = this.stepsPerEpoch * epochCount;
  }

  /**
   * The epochs with steps still to take, each with those steps; an epoch a restart has finished is left
   * out whole (its evaluation too). Each plan is built as its epoch begins.
   */
  *epochs(): Generator<ScheduledEpoch> {
    const perEpoch = this.stepsPerEpoch;
    for (let epoch = Math.floor(this.doneSteps / perEpoch) + 1; epoch <= this.epochCount; epoch++) {
      const plan = epoch === 1 ? this.first : epochPlan(this.spec, epoch, this.labels);
      yield { epoch, plan, steps: this.stepsOf(epoch) };
    }
  }

  private *stepsOf(epoch: number): Generator<ScheduledStep> {
    const before = (epoch - 1) * this.stepsPerEpoch;
    for (let index = Math.max(0, this.doneSteps - before); index < this.stepsPerEpoch; index++) {
      yield { step: before + index + 1, index };
    }
  }
}

