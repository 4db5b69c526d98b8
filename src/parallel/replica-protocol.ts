// Messages between the coordinator (page or CLI) and its members (replicas and model-parallel workers):
// one discriminated union each way, the same over every transport; members.ts says who sends what, when.
import type { RunConfig } from '../core/config';
import type { MemberStepTraffic, MetricRecord, PhaseTimes } from '../core/metrics';
import type { TimelineSpan, WorkerPlan } from '../core/model-parallel';
import type { ParamsSnapshot, TrainingState } from '../gpu/train-run';

export type ToReplica =
  | {
      type: 'init';
      config: RunConfig;
      rank: number;
      world: number;
      /** Rank 0's initial weights, broadcast so every replica starts identical (or the restored weights). */
      initialParams: Float32Array;
      /** After a failure: the optimizer state and steps completed of the state being restored. */
      resume?: { step: number; m: Float32Array; v: Float32Array };
      /** Rank 0 sends its whole state every this many steps (gradient all-reduce or a single replica). */
      checkpointEvery?: number;
      /** When the run was asked for (runClock): a single replica's timing records count start-up from it. */
      startedAt?: number;
      /** balance=speed: the shares of each epoch from the one this generation starts in, as far as they are known. */
      shares?: EpochShares[];
      /**
       * Tests only (a slowed replica, as a slower GPU would be): sleep this many ms per sample in each step's
       * compute. Never set from a config or a link: a test's member host adds it (parallel/test-throttle.ts).
       */
      throttleMsPerSample?: number;
      /** Ring links: receive from rank − 1, send to rank + 1 (absent with one replica or star). */
      left?: MessagePort;
      right?: MessagePort;
      /**
       * Model parallelism (pipeline or tensor mode): this worker's share of the model, whose parameters
       * initialParams holds; which stage of which replica it is (tensor: stage = rank, one replica);
       * pipeline stages talk to their neighbours over prev and next, and to the same stage of the other
       * replicas over the ring links left and right.
       */
      part?: { plan: WorkerPlan; stage: number; stages: number; replica: number; replicas: number; prev?: MessagePort; next?: MessagePort };
    }
  /** Every replica has its device: start training (none starts before all can). */
  | { type: 'go' }
  | { type: 'pause' }
  | { type: 'resume' }
  /** Take one step, then hold paused. */
  | { type: 'step' }
  /** Send the current weights back (for live views). */
  | { type: 'snapshot'; id: number }
  /** Heartbeat: answer with pong, so the coordinator notices a worker that died without a word. */
  | { type: 'ping' }
  /**
   * Send the whole state back (weights, optimizer state, steps completed), to restart replicas from it. After
   * a non-finite step a replica hands over its last verified-good state, unless `current`: then the state it
   * holds, after the last step it took (what a class needs when another member's vector made the step fail).
   */
  | { type: 'state'; id: number; current?: boolean }
  | { type: 'stop' }
  /**
   * Node: destroy the worker's GPU devices (which settles their pending promises) and end the thread.
   * Ending a thread while a Dawn promise is pending aborts the whole process.
   */
  | { type: 'exit' }
  /** Star all-reduce: the coordinator's sum for round `round`. */
  | { type: 'star'; round: number; data: Float32Array }
  /** balance=speed: the shares of an epoch, planned from the one before as it ended. */
  | ({ type: 'shares' } & EpochShares);

/** balance=speed: each replica's share of every global batch of an epoch (core/sharding.ts speedShares). */
export interface EpochShares {
  epoch: number;
  shares: number[];
}

/**
 * Ring: what a rank received from its left neighbour and could not take (non-finite values, a chunk of the
 * wrong length or type), at which receive of the all-reduce (0-based). The neighbour that sent it first is
 * the one at fault: the others only passed it on.
 */
export interface BadInput {
  at: number;
  what: string;
}

export interface StepReport {
  type: 'report';
  rank: number;
  step: number;
  epoch: number;
  lossSum: number;
  correct: number;
  rows: number;
  /** Global batch rows this step (the sum of all ranks' rows). */
  globalRows: number;
  /** Sample ids this rank trained on. */
  ids: number[];
  /** balance=speed: this rank's share of the epoch's global batches. */
  share?: number;
  /** Positions in `ids` that repeat a sample to pad the epoch (droplast=0); usually none. */
  padded: number[];
  times: PhaseTimes;
  /** Whether times.computeMs came from GPU timestamps. */
  gpuTimed: boolean;
  bytesSent: number;
  /** Parameter fingerprint after a synchronisation; absent on local steps (sync = k). */
  checksum?: string;
  /** Local SGD: ‖w_rank − w̄‖/‖w̄‖ just before the weights were averaged. */
  drift?: number;
  /**
   * This step went non-finite here: this rank's own loss or gradient, or only the all-reduced sum (another
   * rank's gradient, or an overflow). The replica then took no update and holds its last good state.
   */
  nonFinite?: { what: 'loss' | 'gradient' | 'sum'; value: number };
  /** Ring: the first chunk this rank could not take, from its left neighbour. */
  badInput?: BadInput;
  /** A class run: the member's traffic this step, which the teacher's host adds (never the member itself). */
  traffic?: MemberStepTraffic;
}

/** A model-parallel worker's step: the loss where it computes one, and its measured timeline. */
export interface PartReport {
  type: 'part-report';
  rank: number;
  step: number;
  epoch: number;
  /** Loss sum, correct count and rows of the whole batch (from the worker that computes the loss). */
  loss?: { lossSum: number; correct: number; rows: number };
  /** Absolute times (ms since the epoch of the clock all workers share). */
  spans: TimelineSpan[];
  /** Bytes of activations and gradients this worker sent this step. */
  bytesSent: number;
  /** Bytes of training activations it holds (its schedule's micro-batches in flight). */
  activationBytes: number;
}

export type FromReplica =
  | { type: 'ready'; rank: number; adapter: string }
  | StepReport
  | PartReport
  /** Star all-reduce: this rank's vector for round `round`. */
  | { type: 'star'; rank: number; round: number; data: Float32Array; scale: number }
  /**
   * Records the replica produced itself: evaluations (rank 0), and everything when it trains alone.
   * `evalMs`: how long the evaluation took, which the coordinator leaves out of training time.
   */
  | { type: 'metric'; rank: number; record: MetricRecord; evalMs?: number }
  /** The run is over for this replica; rank 0 also hands over its final weights (flat layout). */
  | { type: 'finished'; rank: number; weightsSha256: string | null; params?: Float32Array }
  | { type: 'error'; rank: number; message: string }
  | { type: 'state'; rank: number; id: number; state: TrainingState | null }
  | { type: 'pong'; rank: number }
  /** Rank 0's state for a checkpoint (weights, optimizer state, steps completed). */
  | { type: 'checkpoint'; rank: number; state: TrainingState }
  /** Local SGD: this rank's whole state just after a synchronisation, to replay from after a failure. */
  | { type: 'sync-state'; rank: number; state: TrainingState }
  /** Rank 0's answer to a snapshot request. */
  | { type: 'snapshot'; rank: number; id: number; snapshot: ParamsSnapshot | null };
