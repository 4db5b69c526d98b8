// The page's handle on one training run: the coordinator of its mode (data parallel, where one replica
// is single-device training; pipeline; tensor) with its workers in Web Workers, relayed to the page as
// simple messages.
import type { RunConfig } from '../core/config';
import type { MetricRecord } from '../core/metrics';
import type { MemberHost } from './members';
import type { RunHandle } from './run';
import { startRun } from './start-run';
import { webMemberHost } from './web-replicas';
import type { ParamsSnapshot, TrainingState } from '../gpu/train-run';

export type { ParamsSnapshot, TrainingState };

export type SessionMessage =
  /** A replica has its GPUDevice; `adapter` describes it for the user. */
  | { type: 'ready'; rank: number; adapter: string }
  | { type: 'metric'; record: MetricRecord }
  /** The run could not start (a bad config for this data set, no device); nothing was trained. */
  | { type: 'error'; message: string }
  /** The run is over (done, stopped or failed). */
  | { type: 'finished' };

export class TrainingSession {
  private run: RunHandle | null = null;
  private ended = false;

  /**
   * `resumeFrom` continues a saved run; `onCheckpoint` receives the run's state every `checkpointEvery`
   * steps (single replica, or gradient all-reduce every step). `env` puts the members elsewhere than in
   * this page's Web Workers (a class's members), with their own `heartbeatMs`.
   */
  constructor(
    config: RunConfig, onMessage: (m: SessionMessage) => void,
    options: {
      resumeFrom?: TrainingState; onCheckpoint?: (state: TrainingState) => void; checkpointEvery?: number; env?: MemberHost; heartbeatMs?: number;
    } = {},
  ) {
    const { resumeFrom, onCheckpoint, checkpointEvery = 50, env = webMemberHost(), heartbeatMs } = options;
    startRun({
      config,
      resumeFrom,
      checkpoint: onCheckpoint && { every: checkpointEvery, save: onCheckpoint },
      env,
      heartbeatMs,
      emit: (record) => onMessage({ type: 'metric', record }),
      onReady: (rank, adapter) => onMessage({ type: 'ready', rank, adapter }),
    }).then(
      (run) => {
        this.run = run;
        if (this.ended) run.stop();
        void run.finished.then(() => onMessage({ type: 'finished' }));
      },
      (e: unknown) => {
        onMessage({ type: 'error', message: e instanceof Error ? e.message : String(e) });
        onMessage({ type: 'finished' });
      },
    );
  }

  pause(): void {
    this.run?.pause();
  }

  resume(): void {
    this.run?.resume();
  }

  /** One more step, then paused. */
  step(): void {
    this.run?.step();
  }

  /** Rank 0's current weights, for live views; null before training starts or after it ends. */
  snapshot(): Promise<ParamsSnapshot | null> {
    return this.run ? this.run.snapshot() : Promise.resolve(null);
  }

  /** The whole state now, to save at a pause (null where it cannot be taken). */
  state(): Promise<TrainingState | null> {
    return this.run ? this.run.state() : Promise.resolve(null);
  }

  /** The final weights once the run is done. */
  finalParams(): Float32Array | null {
    return this.run?.finalParams() ?? null;
  }

  /** Ends the run and its workers (Reset). */
  terminate(): void {
    this.ended = true;
    this.run?.stop();
  }
}
