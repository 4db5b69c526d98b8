// A run's lifecycle, written down once for every mode: its states, the transitions allowed between them,
// the user's hold (Pause), and the end, which happens once. An illegal transition is a coordinator bug: it throws.
import type { MetricRecord } from '../core/metrics';

/**
 * starting    a generation of members is getting its devices, data and trainers; none trains yet
 * ready       every member is ready; training waits only for the run's check against its data set
 * training    the members train
 * paused      the members train held (Pause): they finish the step in flight, then wait
 * recovering  a member failed (in a class: left, or joined): the run gathers its restart point, then starts
 *             a new generation
 * halting     a step went non-finite: the run is ending at its last good state, and nothing else ends it first
 * ended       done or stopped: the last record is out and the members are gone
 */
export type RunState = 'starting' | 'ready' | 'training' | 'paused' | 'recovering' | 'halting' | 'ended';

const NEXT: Record<RunState, readonly RunState[]> = {
  // In a class a member who leaves while its generation starts is dropped and the others start again (elastic.ts).
  starting: ['ready', 'recovering', 'ended'],
  // A member may fail after all were ready but before the check passed: that generation is restarted.
  ready: ['training', 'paused', 'recovering', 'ended'],
  training: ['paused', 'recovering', 'halting', 'ended'],
  paused: ['training', 'recovering', 'halting', 'ended'],
  // The survivors may still complete a step while they hand over their state, and it may be a non-finite one.
  recovering: ['starting', 'halting', 'ended'],
  halting: ['ended'],
  ended: [],
};

export class RunLifecycle {
  private current: RunState = 'starting';
  /** Pause holds whatever the state: a run paused while it starts or recovers begins training held. */
  private hold = false;
  private settle: (record: MetricRecord) => void = () => {};
  /** Resolves with the last record: done or stopped. */
  readonly finished = new Promise<MetricRecord>((resolve) => { this.settle = resolve; });

  /** `emit` receives the last record; `close` then ends the members. */
  constructor(private readonly emit: (record: MetricRecord) => void, private readonly close: () => void) {}

  get state(): RunState {
    return this.current;
  }

  is(...states: RunState[]): boolean {
    return states.includes(this.current);
  }

  to(next: RunState): void {
    if (!NEXT[this.current].includes(next)) throw new Error(`a run cannot go from ${this.current} to ${next}`);
    this.current = next;
  }

  get held(): boolean {
    return this.hold;
  }

  pause(): void {
    this.hold = true;
    if (this.current === 'training') this.to('paused');
  }

  resume(): void {
    this.hold = false;
    if (this.current === 'paused') this.to('training');
  }

  /** Every member is ready and the run checked: training begins, held if the user paused meanwhile. */
  go(): void {
    this.to(this.hold ? 'paused' : 'training');
  }

  /** Ends the run with its last record; a second end (a stop racing a failure, say) changes nothing. */
  end(record: MetricRecord): void {
    if (this.current === 'ended') return;
    this.to('ended');
    this.emit(record);
    this.close();
    this.settle(record);
  }

  /**
   * The run's check failed: the members end, and the caller reports the error instead of a record (the
   * run may have ended already, when a member could not start).
   */
  abandon(): void {
    if (this.current !== 'ended') this.to('ended');
    this.close();
  }
}
