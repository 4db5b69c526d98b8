// The steps a run takes, in order: each epoch's seeded plan (core/sharding), steps numbered from 1 over the
// whole run, leaving out those a resumed or restarted run has already done. The single-device loop, the
// data-parallel replicas and the model-parallel workers all walk this one schedule.
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
  /** The step that ends it. */
  lastStep: number;
  /** Its steps still to take. */
  steps: Iterable<ScheduledStep>;
}

export class RunSchedule {
  readonly stepsPerEpoch: number;
  readonly totalSteps: number;
  /** Steps do not depend on the epoch, nor (but with balance=speed) each rank's rows: epoch 1's plan stands for all. */
  private readonly first: EpochPlan;

  constructor(
    private readonly spec: ShardSpec, private readonly epochCount: number, private readonly labels: Uint8Array,
    /** Steps the run starts after (a resumed run's, or a restarted worker's). */
    readonly doneSteps = 0,
    /** balance=speed: each epoch's shares, known by the time the epoch begins. */
    private readonly sharesOf?: (epoch: number) => readonly number[],
  ) {
    this.first = epochPlan(spec, 1, labels);
    this.stepsPerEpoch = this.first.steps;
    this.totalSteps = this.stepsPerEpoch * epochCount;
  }

  /** The first epoch with steps still to take. */
  get firstEpoch(): number {
    return Math.floor(this.doneSteps / this.stepsPerEpoch) + 1;
  }

  /** Rows of rank `rank`'s first batch. */
  firstRows(rank: number): number {
    return this.first.rankBatch(0, rank).length;
  }

  /** Rows of rank `rank`'s largest batch. */
  largestRows(rank: number): number {
    return Math.max(...Array.from({ length: this.stepsPerEpoch }, (_, i) => this.first.rankBatch(i, rank).length));
  }

  /**
   * The epochs with steps still to take, each with those steps; an epoch a restart has finished is left
   * out whole (its evaluation too). Each plan is built as its epoch begins.
   */
  *epochs(): Generator<ScheduledEpoch> {
    const perEpoch = this.stepsPerEpoch;
    for (let epoch = this.firstEpoch; epoch <= this.epochCount; epoch++) {
      const plan = epoch === 1 && !this.sharesOf ? this.first : epochPlan(this.spec, epoch, this.labels, this.sharesOf?.(epoch));
      yield { epoch, plan, lastStep: epoch * perEpoch, steps: this.stepsOf(epoch) };
    }
  }

  private *stepsOf(epoch: number): Generator<ScheduledStep> {
    const before = (epoch - 1) * this.stepsPerEpoch;
    for (let index = Math.max(0, this.doneSteps - before); index < this.stepsPerEpoch; index++) {
      yield { step: before + index + 1, index };
    }
  }
}

/** Rows of the global batch at a step: every rank's rows together. */
export function globalRows(plan: EpochPlan, index: number, ranks: number): number {
  let rows = 0;
  for (let rank = 0; rank < ranks; rank++) rows += plan.rankBatch(index, rank).length;
  return rows;
}
