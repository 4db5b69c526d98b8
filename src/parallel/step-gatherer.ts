// Gathers the members' reports of each step until all are in, and keeps what the run's metrics need
// across them: the last step reported, the evaluations held until their step is out, and the timing
// records (core/throughput.ts), which go on across restarts.
import type { EvalRecord, MetricRecord } from '../core/metrics';
import { Throughput } from '../core/throughput';
import { runClock } from '../gpu/train-run';
import { StepGroups } from './step-groups';

export class StepGatherer<R extends { step: number; rank: number }> {
  private groups: StepGroups<R>;
  private throughput: Throughput | null = null;
  private totalSteps = 0;
  private last: number;
  private lastEvalStep: number;
  private lastAccuracy = 0;
  /** Evaluations that arrived before the step they follow was out. */
  private readonly heldEvals: EvalRecord[] = [];

  /** `firstStep`: the steps a resumed run has behind it, which it does not report again. */
  constructor(world: number, private readonly emit: (record: MetricRecord) => void, private readonly startedAt: number, firstStep: number) {
    this.groups = new StepGroups<R>(world);
    this.last = firstStep;
    this.lastEvalStep = firstStep;
  }

  /** The last step whose records are out. */
  get lastStep(): number {
    return this.last;
  }

  /** The test accuracy of the latest evaluation. */
  get lastEval(): number {
    return this.lastAccuracy;
  }

  /** Training begins (or goes on, after a restart, with the same figures). */
  begin(totalSteps: number): void {
    this.totalSteps = totalSteps;
    this.throughput ??= new Throughput(this.startedAt, runClock(), this.last);
  }

  /**
   * A generation of `world` members starts at `step`: the steps up to it are not reported again, and
   * half-gathered ones are dropped.
   */
  restartAt(step: number, world: number): void {
    this.last = Math.max(this.last, step);
    this.groups = new StepGroups<R>(world);
  }

  /** Adds a member's report; returns its step's reports in rank order once all are in, else null. */
  add(report: R): R[] | null {
    // After a restart the replayed steps were already reported.
    if (report.step <= this.last) return null;
    return this.groups.add(report.step, report.rank, report);
  }

  /** The step's own records are out: its timing record follows, and the evaluations that waited for it. */
  stepDone(step: number, rows: number, held: boolean): void {
    this.last = step;
    const now = runClock();
    this.emit(this.throughput!.record(step, rows, this.totalSteps, now));
    // A single step (Step while paused) is over: the clock holds again.
    if (held) this.throughput!.hold(now);
    while (this.heldEvals.length && this.heldEvals[0].step <= step) this.emit(this.heldEvals.shift()!);
  }

  /** A member's evaluation (rank 0's; replays of one already out are dropped); `evalMs` is not training time. */
  evaluated(record: MetricRecord, evalMs?: number): void {
    if (evalMs !== undefined) this.throughput?.exclude(evalMs);
    if (record.type !== 'eval' || record.step <= this.lastEvalStep) return;
    this.lastEvalStep = record.step;
    this.lastAccuracy = record.testAccuracy;
    if (record.step <= this.last) this.emit(record);
    else this.heldEvals.push(record);
  }

  hold(): void {
    this.throughput?.hold(runClock());
  }

  resume(): void {
    this.throughput?.resume(runClock());
  }
}
