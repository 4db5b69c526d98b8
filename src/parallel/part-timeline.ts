// What a model-parallel worker's step report says of its time: spans of work (forward, backward, waiting,
// sending, all-reduce, update) on the clock all workers share, and the bytes it sent.
import type { TimelineSpan } from '../core/model-parallel';
import { runClock } from '../gpu/run-clock';

export class StepTimeline {
  spans: TimelineSpan[] = [];
  bytesSent = 0;

  /** A new step: a new list (the last one went out with its report). */
  reset(): void {
    this.spans = [];
    this.bytesSent = 0;
  }

  /** A span of `kind` from `start` until now. */
  span(kind: TimelineSpan['kind'], microbatch: number, start: number): void {
    this.spans.push({ kind, microbatch, start, end: runClock() });
  }

  async timed<T>(kind: TimelineSpan['kind'], microbatch: number, work: () => Promise<T>): Promise<T> {
    const start = runClock();
    const out = await work();
    this.span(kind, microbatch, start);
    return out;
  }
}
