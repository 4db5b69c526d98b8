// The arithmetic of every mode's `timing` records: samples per second over a recent window of steps, the
// average over training time alone, and the start-up before training began. The caller reads the clock.
import type { TimingRecord } from './metrics';

/** Steps the windowed rate spans at least (single-device runs read their steps back in batches). */
export const THROUGHPUT_WINDOW_STEPS = 32;

interface Mark {
  step: number;
  /** Samples trained since training began. */
  samples: number;
  /** Training time since training began, ms. */
  trainingMs: number;
}

/** One run's throughput; every time is a reading of the same clock, in ms. */
export class Throughput {
  /** Recent marks, oldest first: the first is where the current window starts. */
  private readonly marks: Mark[];
  private samples = 0;
  /** Time since training began that was not training: pauses and evaluations. */
  private idleMs = 0;
  private heldAt: number | null = null;
  private readonly startupMs: number;

  /**
   * Training begins at `begunAt`, after `step` steps (more than 0 when a run resumes); the time since the
   * run was asked for at `startedAt` was start-up.
   */
  constructor(startedAt: number, private readonly begunAt: number, step: number, private readonly windowSteps = THROUGHPUT_WINDOW_STEPS) {
    this.startupMs = begunAt - startedAt;
    this.marks = [{ step, samples: 0, trainingMs: 0 }];
  }

  /** Training holds (paused) from `now` until resume; a step that was in flight still counts up to its arrival. */
  hold(now: number): void {
    this.heldAt ??= now;
  }

  resume(now: number): void {
    if (this.heldAt === null) return;
    this.idleMs += now - this.heldAt;
    this.heldAt = null;
  }

  /** `ms` since the last step went to something other than training (a test-set evaluation). */
  exclude(ms: number): void {
    this.idleMs += ms;
  }

  /** The timing record for `step`, whose arrival at `now` brings `samples` more trained samples. */
  record(step: number, samples: number, totalSteps: number, now: number): TimingRecord {
    if (this.heldAt !== null) this.heldAt = Math.max(this.heldAt, now);
    this.samples += samples;
    const mark: Mark = { step, samples: this.samples, trainingMs: (this.heldAt ?? now) - this.begunAt - this.idleMs };
    // The window starts at the newest mark at least windowSteps back, or where training began.
    while (this.marks.length > 1 && step - this.marks[1].step >= this.windowSteps) this.marks.shift();
    const from = this.marks[0];
    this.marks.push(mark);
    return {
      type: 'timing', step, totalSteps,
      samplesPerSec: perSecond(mark.samples - from.samples, mark.trainingMs - from.trainingMs),
      windowSteps: step - from.step,
      averageSamplesPerSec: perSecond(mark.samples, mark.trainingMs),
      elapsedMs: mark.trainingMs,
      startupMs: this.startupMs,
    };
  }
}

function perSecond(samples: number, ms: number): number {
  return ms > 0 ? (samples * 1000) / ms : 0;
}
