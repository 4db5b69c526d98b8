// The metrics stream: typed records that the page renders, the CLI prints as JSON Lines, and the user
// can download. Steps and epochs count from 1.
import type { TimelineSpan } from './model-parallel';

export interface StepRecord {
  type: 'step';
  step: number;
  epoch: number;
  /** Mean cross-entropy over the global batch. */
  loss: number;
  /** Fraction of the batch classified correctly. */
  accuracy: number;
  /** Data parallel: each replica's mean loss over its own shard of the batch. */
  replicaLoss?: number[];
}

/** Data parallel: which sample ids each rank trained on at a step. */
export interface ShardRecord {
  type: 'shard';
  step: number;
  epoch: number;
  /** ids[rank] = sample ids. */
  ids: number[][];
}

/** Milliseconds of one replica's step, phase by phase (see WorkersRecord.clock). */
export interface PhaseTimes {
  /** Forward and backward on the GPU. */
  computeMs: number;
  /** Copying the gradient (or weights) back to the CPU. */
  readbackMs: number;
  /** Waiting for and computing the all-reduce. */
  allreduceMs: number;
  /** Writing the averaged gradient back and running the optimizer. */
  updateMs: number;
}

/** Data parallel: per-replica phase times and traffic of a step. */
export interface WorkersRecord {
  type: 'workers';
  step: number;
  /**
   * How the times were measured: 'gpu' when compute comes from GPU timestamps (the other phases are
   * always wall clock), 'wall' when the adapter offers no timestamps.
   */
  clock: 'gpu' | 'wall';
  times: PhaseTimes[];
  /** Bytes each replica sent in this step's all-reduce (0 on local steps). */
  bytesSent: number[];
  /** The ring's ideal 2K(N−1)/N for this step's vector, in the same units. */
  theoryBytes: number;
}

/** Data parallel: parameter fingerprints of every replica after a synchronisation. */
export interface SyncRecord {
  type: 'sync';
  step: number;
  checksums: string[];
  inSync: boolean;
  /** Local SGD: how far each replica's weights had drifted from their average, ‖w_k − w̄‖/‖w̄‖. */
  drift?: number[];
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

/** Data parallel: a replica failed (crashed or lost its GPU device) and the run went on. */
export interface FaultRecord {
  type: 'fault';
  /** The last step whose metrics were complete when it happened. */
  step: number;
  rank: number;
  message: string;
  /** All replicas were restarted from the state after this step (held by a surviving replica). */
  restartedFrom: number;
}

/** Model parallelism: every worker's measured timeline of a step, its bubble, traffic and activation memory. */
export interface StagesRecord {
  type: 'stages';
  step: number;
  mode: 'pipeline' | 'tensor';
  /** spans[worker]: forwards, backwards, sends, waits and the update, in ms from the step's start. */
  spans: TimelineSpan[][];
  /** Measured idle share: 1 − compute time / (workers × step span). */
  bubble: number;
  /** Pipeline: (p − 1)/(m + p − 1), the bubble with equal stage times; null for tensor. */
  theory: number | null;
  /** Bytes of activations and gradients each worker sent this step. */
  bytesSent: number[];
  /** Bytes of training activations each worker holds (the micro-batches its schedule keeps in flight). */
  activationBytes: number[];
}

export type MetricRecord =
  | StepRecord | StagesRecord | EvalRecord | TimingRecord | DoneRecord | StoppedRecord | ShardRecord | WorkersRecord | SyncRecord | FaultRecord;

export function divergedMessage(step: number, loss: number): string {
  return `loss diverged at step ${step} (${loss}): lower the learning rate and train again`;
}
