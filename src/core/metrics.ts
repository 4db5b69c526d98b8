// The metrics stream: typed records that the page renders, the CLI prints as JSON Lines, and the user
// can download. Steps and epochs count from 1.

export interface StepRecord {
  type: 'step';
  step: number;
  epoch: number;
  /** Mean cross-entropy over the global batch. */
  loss: number;
  /** Fraction of the batch classified correctly. */
  accuracy: number;
}

export interface EvalRecord {
  type: 'eval';
  epoch: number;
  step: number;
  testLoss: number;
  testAccuracy: number;
}

export interface TimingRecord {
  type: 'timing';
  step: number;
  totalSteps: number;
  /** Training samples per second over the last measured window. */
  samplesPerSec: number;
  elapsedMs: number;
}

export interface DoneRecord {
  type: 'done';
  steps: number;
  testAccuracy: number;
  weightsSha256: string;
}

/** Training stopped before the end: diverged loss, a GPU error, or the user. */
export interface StoppedRecord {
  type: 'stopped';
  step: number;
  reason: 'diverged' | 'error' | 'user';
  message: string;
}

export type MetricRecord = StepRecord | EvalRecord | TimingRecord | DoneRecord | StoppedRecord;

export function divergedMessage(step: number, loss: number): string {
  return `loss diverged at step ${step} (${loss}): lower the learning rate and train again`;
}
