// Pause, resume, single steps, stop, and state requests: the controls a training loop shares with whoever
// drives it (a page worker, the coordinator, the CLI). Every loop, single-device or worker, holds one.
import type { TrainingState } from './training-state';

/** The weights at a moment of a run, for live views (after `step` optimizer steps). */
export interface ParamsSnapshot {
  step: number;
  params: Float32Array;
}

export class RunSwitch {
  private paused = false;
  private stopped = false;
  private stepBudget = 0;
  private wake: (() => void) | null = null;
  private reader: (() => Promise<ParamsSnapshot>) | null = null;
  private stateReader: ((current: boolean) => Promise<TrainingState | null>) | null = null;

  pause(): void {
    this.paused = true;
  }

  resume(): void {
    this.paused = false;
    this.release();
  }

  /** Takes exactly one more step, then holds paused. */
  stepOnce(): void {
    this.paused = true;
    this.stepBudget = 1;
    this.release();
  }

  stop(): void {
    this.stopped = true;
    this.release();
  }

  get isPaused(): boolean {
    return this.paused && this.stepBudget === 0 && !this.stopped;
  }

  get isStopped(): boolean {
    return this.stopped;
  }

  /** True while the loop is actually holding at a pause (its pending metrics already reported). */
  get isHolding(): boolean {
    return this.wake !== null;
  }

  /** The loop calls this after each step, so a single step spends its budget. */
  tookStep(): void {
    if (this.stepBudget > 0) this.stepBudget--;
  }

  waitWhilePaused(): Promise<void> {
    if (!this.isPaused) return Promise.resolve();
    return new Promise((resolve) => { this.wake = resolve; });
  }

  /**
   * A worker's gate before each step: holds while paused, then false if the run was stopped, else counts
   * the step (workers report every step as it ends, so they have nothing to hand over before holding).
   */
  async enterStep(): Promise<boolean> {
    if (this.isPaused) await this.waitWhilePaused();
    if (this.isStopped) return false;
    this.tookStep();
    return true;
  }

  /** The loop registers how to read its weights once its trainer exists. */
  serveSnapshots(reader: () => Promise<ParamsSnapshot>): void {
    this.reader = reader;
  }

  /**
   * Replicas register how to read their whole state, so a replaced replica can start from it; `current` asks
   * for the state as it is even where the reader would hand over an earlier one (after a divergence).
   */
  serveState(reader: (current: boolean) => Promise<TrainingState | null>): void {
    this.stateReader = reader;
  }

  /** Weights, optimizer state and completed steps, or null before training has begun. */
  state(current = false): Promise<TrainingState | null> {
    return this.stateReader ? this.stateReader(current) : Promise.resolve(null);
  }

  /** The current weights (after all submitted steps), or null before training has begun. */
  snapshot(): Promise<ParamsSnapshot | null> {
    return this.reader ? this.reader() : Promise.resolve(null);
  }

  private release(): void {
    this.wake?.();
    this.wake = null;
  }
}
