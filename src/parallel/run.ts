// What every coordinated run shares, whatever its parallelism: the options the page and the CLI start it
// with, the handle they hold, its check against the data set, and the Run that composes the lifecycle,
// the member generations, the step gatherer, recovery or elastic membership, and the halt. A mode
// (data-coordinator.ts, model-coordinator.ts) adds only what differs: each generation's init messages,
// what its members report, and where a restart begins.
import type { RunConfig } from '../core/config';
import { loadLabels } from '../core/datasets';
import { divergedMessage, type MetricRecord } from '../core/metrics';
import { checkPlan, epochPlan, shardSpec } from '../core/sharding';
import { validateForDataset, type ParamsSnapshot, type TrainingState } from '../gpu/train-run';
import type { Diverged } from './divergence';
import { Elastic } from './elastic';
import { RunLifecycle } from './lifecycle';
import { ranks } from './links';
import { MemberGenerations, type Init, type MemberReport } from './member-generations';
import type { MemberHost } from './members';
import { Recovery, type RestartPoint } from './recovery';
import { StepGatherer } from './step-gatherer';

/** Pause, resume, single steps and stop for a whole run, and live weights. */
export interface RunHandle {
  pause(): void;
  resume(): void;
  /** Every member takes one more step, then holds paused. */
  step(): void;
  stop(): void;
  /** Rank 0's current weights (flat layout) and the step they follow; null before training starts. */
  snapshot(): Promise<ParamsSnapshot | null>;
  /**
   * The run's whole state now (weights, optimizer state, steps), to save at a pause; null where one
   * replica's state is not the run's (local SGD) or before training starts.
   */
  state(): Promise<TrainingState | null>;
  /** Resolves with the last record: done or stopped. */
  finished: Promise<MetricRecord>;
  /** The final weights (flat layout), once the run is done. */
  finalParams(): Float32Array | null;
}

/**
 * 15 s of silence: a loaded machine (two cores, several replicas, a browser beside them) can hold a busy
 * worker thread off the CPU for seconds, and a worker restarted for that costs the run a replay.
 */
export const DEFAULT_HEARTBEAT_MS = 5000;

/** What starts a run, in any mode. */
export interface RunOptions {
  config: RunConfig;
  env: MemberHost;
  emit: (record: MetricRecord) => void;
  /** Called once per member with a description of its adapter. */
  onReady?: (rank: number, adapter: string) => void;
  /**
   * Heartbeat period; a member silent for three periods is taken for dead (default DEFAULT_HEARTBEAT_MS).
   * Workers that fail with an error or exit are reported at once: this finds the silent ones.
   */
  heartbeatMs?: number;
  /** Continue a run from a saved whole-model state. */
  resumeFrom?: TrainingState;
  /**
   * Receive the whole model's state every `every` steps (data parallel: a single replica, or gradient
   * all-reduce every step; model parallel: at the first consistent state on or after each multiple).
   */
  checkpoint?: { every: number; save: (state: TrainingState) => void };
}

/**
 * Validates the run against its data set's sizes and labels (the page decodes no pixels: the members load
 * their own copy), and counts its steps; throws a message naming the field and the limits.
 */
export async function prepareRun(config: RunConfig, readAsset: (file: string) => Promise<Uint8Array>) {
  const dataset = await loadLabels(config.dataset, config.seed, readAsset);
  validateForDataset(config, dataset);
  checkPlan(shardSpec(config), dataset.train.y, dataset.classes);
  return { dataset, totalSteps: epochPlan(shardSpec(config), 1, dataset.train.y).steps * config.epochs };
}

/** What a mode tells the run. */
export interface Mode<From extends RestartPoint> {
  /**
   * A generation of `world` members starts from `from`: each rank's init, in rank order (the mode drops what
   * the last generation left half done). The world changes only in an elastic run.
   */
  inits(from: From, world: number): Init[];
  /** What a member of the current generation reports. */
  message(m: MemberReport): void;
  /**
   * Where the next generation starts after member `failed` failed, left or was removed (null: members
   * joined), asked while recovering; new rank r continues rank `kept[r]` of this generation (null: a
   * newcomer). Null when no state can be had.
   */
  restartPoint(failed: number | null, kept: (number | null)[]): Promise<From | null>;
  /** An elastic run: whether a world of this many members fits the run. Without it the world never changes. */
  fits?(world: number): boolean;
}

export class Run<From extends RestartPoint, Report extends { step: number; rank: number }> {
  readonly lifecycle: RunLifecycle;
  readonly members: MemberGenerations;
  readonly steps: StepGatherer<Report>;
  private readonly recovery: Recovery<From>;
  /** A host whose members cannot take their rank again (a class) in a data-parallel run: the world changes instead. */
  private elastic: Elastic<From> | null = null;
  private mode: Mode<From> | null = null;
  private currentWorld: number;
  /** Known once the run's check has passed: training waits for it. */
  private totalSteps: number | null = null;

  /** `startedAt`: when the run was asked for; `firstStep`: the steps a resumed run has behind it. */
  constructor(private readonly options: RunOptions, world: number, startedAt: number, firstStep: number) {
    const { config, env, emit } = options;
    this.currentWorld = world;
    this.lifecycle = new RunLifecycle(emit, () => this.members.close());
    this.members = new MemberGenerations(env, options.heartbeatMs ?? DEFAULT_HEARTBEAT_MS, {
      ready: (rank, adapter) => options.onReady?.(rank, adapter),
      allReady: () => this.allReady(),
      message: (m) => this.mode!.message(m),
      failure: (rank, what) => void (this.elastic ? this.elastic.lost(rank, what, 'left') : this.recovery.onFailure(rank, what)),
      removed: (rank, why) => this.remove(rank, why),
    });
    this.steps = new StepGatherer<Report>(world, emit, startedAt, firstStep);
    this.recovery = new Recovery<From>({
      config, world, lifecycle: this.lifecycle, emit, lastStep: () => this.steps.lastStep,
      retire: () => this.members.retire(), restartPoint: (failed) => this.mode!.restartPoint(failed, ranks(world)), launch: (from) => this.launch(from),
    });
  }

  /** Members in the current generation. */
  get world(): number {
    return this.currentWorld;
  }

  /**
   * Starts the first generation from `from`. Training begins once every member is ready and `check` has
   * passed, resolving with the run's total steps; if it throws, the run ends and the error is thrown.
   */
  async start(mode: Mode<From>, from: From, check: Promise<number>): Promise<void> {
    this.mode = mode;
    const { membership } = this.options.env;
    if (membership && mode.fits) {
      this.elastic = new Elastic<From>({
        membership, lifecycle: this.lifecycle, world: () => this.currentWorld, lastStep: () => this.steps.lastStep,
        emit: (r) => this.emit(r), hold: () => this.members.all({ type: 'pause' }), retire: () => this.members.retire(),
        fits: (w) => mode.fits!(w), restartPoint: (lost, kept) => mode.restartPoint(lost, kept), launch: (next, world) => this.launch(next, world),
      });
    }
    this.launch(from);
    try {
      this.totalSteps = await check;
    } catch (e) {
      this.lifecycle.abandon();
      throw e;
    }
    if (this.lifecycle.is('ready')) this.go();
  }

  emit(record: MetricRecord): void {
    this.options.emit(record);
  }

  /**
   * Member `rank` sent what the run cannot take (a vector of the wrong length, non-finite gradients where the
   * others' are finite, a message the lab cannot read): an elastic run removes it and redoes the step without it; otherwise it fails like a crash.
   */
  remove(rank: number, why: string): void {
    if (this.elastic) void this.elastic.lost(rank, why, 'removed');
    else void this.recovery.onFailure(rank, `failed: ${why}`);
  }

  /** Whether the run goes on without a lost member and takes in members who join (a class). */
  get isElastic(): boolean {
    return this.elastic !== null;
  }

  /** How many times the members changed (an elastic run); 0 when they never did. */
  get membershipChanges(): number {
    return this.elastic?.count ?? 0;
  }

  /** A step's own records are out: the gatherer adds its timing record and the evaluations that waited for it. */
  stepDone(step: number, rows: number): void {
    this.steps.stepDone(step, rows, this.lifecycle.held);
  }

  /**
   * A step went non-finite: the run ends at its last good state, which `lastGood` finds (null: none
   * could be kept) and which is saved as the run's checkpoint. A second such step while halting changes nothing.
   */
  async halt(diverged: Diverged, lastGood: () => Promise<TrainingState | null>): Promise<void> {
    if (this.lifecycle.is('halting')) return;
    this.lifecycle.to('halting');
    const kept = await lastGood();
    if (!this.lifecycle.is('halting')) return;
    if (kept) this.options.checkpoint?.save(kept);
    const message = divergedMessage({ ...diverged, lr: this.options.config.lr, kept: kept?.step ?? null });
    this.lifecycle.end({ type: 'stopped', step: kept?.step ?? this.steps.lastStep, reason: 'diverged', message, divergedAt: diverged.step });
  }

  /** The handle the page and the CLI hold; the mode gives what it holds differently: live weights, the state, the final weights. */
  handle(own: Pick<RunHandle, 'snapshot' | 'state' | 'finalParams'>): RunHandle {
    const { lifecycle, members, steps } = this;
    return {
      pause: () => {
        lifecycle.pause();
        steps.hold();
        members.all({ type: 'pause' });
      },
      resume: () => {
        lifecycle.resume();
        steps.resume();
        members.all({ type: 'resume' });
      },
      step: () => {
        steps.resume();
        members.all({ type: 'step' });
      },
      stop: () => {
        members.all({ type: 'stop' });
        lifecycle.end({ type: 'stopped', step: steps.lastStep, reason: 'user', message: `stopped at step ${steps.lastStep}` });
      },
      finished: lifecycle.finished,
      ...own,
    };
  }

  private launch(from: From, world = this.currentWorld): void {
    this.currentWorld = world;
    this.steps.restartAt(from.step, world);
    this.members.spawn(this.mode!.inits(from, world));
    if (this.lifecycle.held) this.members.all({ type: 'pause' });
  }

  private allReady(): void {
    this.lifecycle.to('ready');
    if (this.totalSteps !== null) this.go();
  }

  private go(): void {
    this.lifecycle.go();
    this.steps.begin(this.totalSteps!);
    this.members.go();
    this.elastic?.settled();
  }
}
