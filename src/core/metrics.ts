// The metrics stream: typed records that the page renders, the CLI prints as JSON Lines, and the user
// can download. Steps and epochs count from 1.
import type { MatmulKernel } from './config';
import type { TimelineSpan } from './model-parallel';

export interface StepRecord {
  type: 'step';
  step: number;
  epoch: number;
  /** Mean cross-entropy over the global batch. */
  loss: number;
  /** Fraction of the batch classified correctly. */
  accuracy: number;
  /** The learning rate the step's update used (warm-up and decay applied). */
  lr: number;
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
  /** padded[rank] = positions in ids[rank] that repeat a sample to pad the epoch (droplast=0); absent when none. */
  padded?: number[][];
  /** balance=speed: shares[rank] = its share of the epoch's global batches, planned from its measured speed. */
  shares?: number[];
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
  /** A class run: each member's traffic in this step on the wire, by rank (see MemberStepTraffic). */
  traffic?: MemberStepTraffic[];
}

/**
 * One member of a class in one step: the bytes its messages took on the wire (JSON and vectors, with the
 * data channel's framing on direct links), with the teacher (star's vectors and sums, reports) and with
 * each other member by rank, and how that link went: over a WebRTC data channel ('direct') or through the
 * class server ('relay'). A ring link carries about theoryBytes each step; a star member sends its K to
 * the teacher and receives K, and every member sends its step and traffic reports (a few hundred bytes). A
 * step's figures are what had gone out and come in when the member's report left, so one message may fall
 * in the step before or after its own (a neighbour already on the next step); the run's totals are exact.
 * The first step also carries the run's start (the init's weights) and, after an earlier run in the
 * session, what the member sent after that run's last report (rank 0: its final weights).
 */
export interface MemberStepTraffic {
  teacher: { sent: number; received: number };
  peers: { rank: number; via: 'connecting' | 'direct' | 'relay'; sent: number; received: number }[];
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
  /** Training samples per second over the last `windowSteps` steps (see core/throughput.ts). */
  samplesPerSec: number;
  windowSteps: number;
  /** Training samples per second since training began, over training time alone. */
  averageSamplesPerSec: number;
  /** Training time so far: start-up, pauses and test-set evaluations left out. */
  elapsedMs: number;
  /** From the moment the run was asked for until training began (workers, devices, data, pipelines). */
  startupMs: number;
}

export interface DoneRecord {
  type: 'done';
  steps: number;
  testAccuracy: number;
  weightsSha256: string;
  /**
   * Data parallel in a class: how many times members left, were removed or joined. Present only then; such a
   * run no longer claims to train exactly like one device.
   */
  membershipChanges?: number;
}

/**
 * Training stopped before the end: diverged loss, a GPU error, or the user. After a divergence `step`
 * is the last verified-good step, whose weights and optimizer state were kept to resume from.
 */
export interface StoppedRecord {
  type: 'stopped';
  step: number;
  reason: 'diverged' | 'error' | 'user';
  message: string;
  /** Diverged: the step whose loss or gradient was NaN or infinite. */
  divergedAt?: number;
}

/** Something a student should look at, while training goes on (a loss far above where it started). */
export interface WarningRecord {
  type: 'warning';
  step: number;
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

/**
 * Data parallel in a class: a member left (its connection closed, it failed or went silent), was removed (it
 * sent a non-finite, wrong-length or malformed message) or joined, and the run went on with `world` replicas,
 * redoing the steps after `step` with the epoch plan of that world. From here on the run no longer claims to
 * train exactly like one device, and `message` says so.
 */
export interface MembershipRecord {
  type: 'membership';
  /** The run's consistent state the new world starts from: the steps after it are (re)done by `world` replicas. */
  step: number;
  change: 'left' | 'removed' | 'joined';
  /** The member's name, plain text as the member gave it. */
  name: string;
  /** Its rank in the world it left, or the one it takes. */
  rank: number;
  /** Why it left or was removed; empty for a join. */
  reason: string;
  /** Replicas after the change. */
  world: number;
  message: string;
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
  /**
   * Pipeline: the bubble this step's schedule leaves with each stage's measured forward and backward times
   * and free messages (the stages' imbalance alone); null for tensor.
   */
  scheduled: number | null;
  /** Bytes of activations and gradients each worker sent this step. */
  bytesSent: number[];
  /** Bytes of training activations each worker holds (the micro-batches its schedule keeps in flight). */
  activationBytes: number[];
}

/** A layer's matmuls in a training step: X·W (+bias, ReLU), Xᵀ·δ (+bias gradient), δ·Wᵀ (⊙ ReLU mask). */
export type MatmulProduct = 'forward' | 'dW' | 'dX';

/** How fast one matmul kernel ran one product. */
export interface KernelTiming {
  kernel: MatmulKernel;
  ms: number;
  gflops: number;
  /**
   * Whether its output had 'blocked''s bits on this adapter: a GPU compiler may fuse a multiply and an add
   * in one kernel and not in another, and a kernel that differs is never chosen (a link must reproduce).
   */
  sameBits: boolean;
}

/** Which matmul kernel runs each layer's products (config `kernel`), and how fast each measured one was. */
export interface KernelsRecord {
  type: 'kernels';
  /** 0: chosen before the first step. */
  step: 0;
  adapter: string;
  /** forced: by the config; measured: at this run's start; cached: measured by an earlier run on this adapter. */
  source: 'forced' | 'measured' | 'cached';
  /** Milliseconds this run spent measuring (0 unless measured). */
  tuneMs: number;
  /**
   * The worker whose kernels these are, named as the page and the CLI name it (parallel/members.ts
   * workerName): each replica, stage or slice has its own device and shapes. Absent on one device.
   */
  worker?: { rank: number; name: string };
  /** M×N×K at the run's batch; timings are empty when forced, and leave out kernels the budget had no time for. */
  products: { layer: number; product: MatmulProduct; shape: string; kernel: MatmulKernel; timings: KernelTiming[] }[];
}

export type MetricRecord =
  | StepRecord | StagesRecord | EvalRecord | TimingRecord | DoneRecord | StoppedRecord | ShardRecord | WorkersRecord | SyncRecord | FaultRecord
  | KernelsRecord | WarningRecord | MembershipRecord;

/** What went non-finite, where, and what was kept. */
export interface Divergence {
  /** The step whose loss (training or test) or gradient was NaN or infinite. */
  step: number;
  what: 'loss' | 'test loss' | 'gradient';
  value: number;
  /** Data parallel: the replicas whose own loss or gradient it was. */
  ranks?: number[];
  lr: number;
  /** The step whose state was kept (the last verified good), or null if none could be kept. */
  kept: number | null;
}

/** A tenth of the learning rate, to two significant digits: the first thing to try after a divergence. */
export function gentlerLr(lr: number): number {
  return Number((lr / 10).toPrecision(2));
}

export function divergedMessage(d: Divergence): string {
  const replicas = d.ranks?.length ? ` on replica${d.ranks.length > 1 ? 's' : ''} ${d.ranks.join(' and ')}` : '';
  const cause = d.what === 'gradient'
    ? `the gradient diverged at step ${d.step} (${d.value}${replicas}): the weights after step ${d.step - 1} give `
      + 'gradients too large to represent, so the updates before them (gradients × learning rate '
      + `${d.lr}) were too big`
    : `${d.what} diverged at step ${d.step} (${d.value}${replicas}): the updates before it (gradients × learning rate ${d.lr}) `
      + 'blew the weights up';
  const next = `lower the learning rate, e.g. to ${gentlerLr(d.lr)}`;
  return d.kept === null
    ? `${cause}. No earlier state could be kept: ${next}, and train again`
    : `${cause}. The weights and optimizer state after step ${d.kept}, the last verified good, are kept: ${next}, and resume`;
}

/** Index of the first NaN or infinite value, or −1. */
export function firstNonFinite(values: ArrayLike<number>): number {
  for (let i = 0; i < values.length; i++) if (!Number.isFinite(values[i])) return i;
  return -1;
}

/** How far above the first logged loss a loss must climb before the run warns (it does not stop). */
export const RISING_LOSS_FACTOR = 10;

/** Watches the step losses of one run and warns once when a loss climbs far above the first one. */
export class LossWatch {
  private first: number | null = null;
  private warned = false;

  constructor(private readonly lr: number) {}

  /** Whether a loss is far above the first one (the first call sets it). */
  tooHigh(loss: number): boolean {
    this.first ??= loss;
    return loss > RISING_LOSS_FACTOR * this.first;
  }

  /** The warning, the first time a loss is too high. */
  check(step: number, loss: number): WarningRecord | null {
    if (!this.tooHigh(loss) || this.warned) return null;
    this.warned = true;
    return {
      type: 'warning', step,
      message: `the loss rose to ${loss.toPrecision(4)} at step ${step}, over ${RISING_LOSS_FACTOR}× the first loss `
        + `(${this.first!.toPrecision(4)}): the learning rate ${this.lr} may be too high. Training goes on; if the loss `
        + `does not come back down, lower the learning rate (e.g. to ${gentlerLr(this.lr)})`,
    };
  }
}
