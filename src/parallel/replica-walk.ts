// A data-parallel replica's walk through the run's schedule (gpu/run-schedule.ts) in step with the other
// replicas: each step taken by the replica's kind of step and reported to the coordinator, checkpoints when
// due, and the test set evaluated after each epoch.
import { runClock } from '../gpu/run-clock';
import { globalRows, type RunSchedule } from '../gpu/run-schedule';
import type { RunSwitch } from '../gpu/run-switch';
import type { ReplicaHandover } from './replica-handover';
import type { ReplicaShares } from './replica-shares';
import type { StepOutcome } from './replica-steps';
import type { PostToCoordinator, WorkerInit } from './worker-messages';

export interface Walk {
  init: WorkerInit;
  schedule: RunSchedule;
  shares: ReplicaShares | null;
  control: RunSwitch;
  post: PostToCoordinator;
  handover: ReplicaHandover;
  /** One step: this rank's `ids` of a global batch of `rows` rows. */
  step(step: number, ids: Uint32Array, rows: number): Promise<StepOutcome>;
  /** After each epoch (rank 0 evaluates; at ZeRO stage 3 every rank takes part in its weight all-gathers). */
  evaluate(epoch: number, lastStep: number): Promise<void>;
}

/** Walks the run's steps; false when stopped or diverged. */
export async function walkSteps(w: Walk): Promise<boolean> {
  const { rank, world } = w.init;
  for (const { epoch, plan, steps, lastStep } of w.schedule.epochs()) {
    for (const { step, index } of steps) {
      if (!(await w.control.enterStep())) return false;
      const ids = plan.rankBatch(index, rank);
      const rows = globalRows(plan, index, world);
      const outcome = await w.step(step, ids, rows);
      w.post({
        type: 'report', rank, step, epoch, lossSum: outcome.lossSum, correct: outcome.correct, rows: ids.length, globalRows: rows,
        ids: Array.from(ids), share: w.shares?.of(epoch)[rank], padded: plan.rankPadding(index, rank), times: outcome.times, gpuTimed: outcome.gpuTimed,
        bytesSent: outcome.bytesSent, checksum: outcome.checksum, drift: outcome.drift, nonFinite: outcome.nonFinite,
        badInput: outcome.badInput,
      });
      if (outcome.nonFinite) {
        w.handover.diverged();
        return false;
      }
      await w.handover.checkpointIfDue(step);
    }
    await w.evaluate(epoch, lastStep);
    if (lastStep < w.schedule.totalSteps) await w.shares?.arrive(epoch + 1);
  }
  return true;
}

/** The test set after an epoch, with how long it took (the coordinator leaves it out of training time); null: not this rank's to post. */
export async function postEvaluation(
  evaluate: () => Promise<{ loss: number; accuracy: number } | null>, post: PostToCoordinator, rank: number, epoch: number, step: number,
): Promise<void> {
  const evalStart = runClock();
  const result = await evaluate();
  if (!result) return;
  post({
    type: 'metric', rank, record: { type: 'eval', epoch, step, testLoss: result.loss, testAccuracy: result.accuracy },
    evalMs: runClock() - evalStart,
  });
}
