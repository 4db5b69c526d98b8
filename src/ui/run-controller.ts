// Drives the training worker from the page's buttons and feeds its messages into the store, in
// batches at most every FLUSH_MS so React renders a few times a second, not once per step.
import type { MetricRecord } from '../core/metrics';
import type { ParamsSnapshot } from '../parallel/page-session';
import { TrainingSession } from '../parallel/page-session';
import type { SessionMessage } from '../parallel/page-session';
import { isActive, useLab } from './store';

const FLUSH_MS = 200;

let session: TrainingSession | null = null;
/** The final weights of the last finished run, kept for the model views. */
let lastFinal: ParamsSnapshot | null = null;
let pending: MetricRecord[] = [];
let flushTimer: ReturnType<typeof setTimeout> | null = null;

function flush(): void {
  if (flushTimer !== null) clearTimeout(flushTimer);
  flushTimer = null;
  if (pending.length === 0) return;
  const batch = pending;
  pending = [];
  useLab.getState().appendRecords(batch);
}

function handle(from: TrainingSession, m: SessionMessage): void {
  if (from !== session) return; // a message from a run that was reset
  const lab = useLab.getState();
  switch (m.type) {
    case 'ready':
      lab.setAdapter(m.adapter);
      break;
    case 'metric':
      pending.push(m.record);
      flushTimer ??= setTimeout(flush, FLUSH_MS);
      break;
    case 'error':
      flush();
      lab.failRun(m.message);
      break;
    case 'finished': {
      flush();
      const params = from.finalParams();
      const steps = useLab.getState().records.filter((r) => r.type === 'step').length;
      lastFinal = params ? { step: steps, params } : null;
      from.terminate();
      session = null;
      break;
    }
  }
}

/** Train: resumes a paused run, or starts a new one with the current config. */
export function train(): void {
  const lab = useLab.getState();
  if (lab.status === 'paused' && session) {
    session.resume();
    lab.setStatus('running');
    return;
  }
  reset();
  lab.beginRun(lab.config);
  const started: TrainingSession = new TrainingSession(lab.config, (m) => handle(started, m));
  session = started;
}

export function pause(): void {
  if (!session || useLab.getState().status !== 'running') return;
  session.pause();
  useLab.getState().setStatus('paused');
}

/** Step: one more step, then paused (from a running or a paused run). */
export function step(): void {
  const { status, setStatus } = useLab.getState();
  if (!session || !isActive(status)) return;
  session.step();
  setStatus('paused');
}

/** Reset: ends the worker at once and clears the run and its metrics. */
export function reset(): void {
  session?.terminate();
  session = null;
  lastFinal = null;
  pending = [];
  if (flushTimer !== null) clearTimeout(flushTimer);
  flushTimer = null;
  useLab.getState().clearRun();
}

/**
 * The current run's weights for live views: rank 0's latest (null before training starts), or the
 * final weights once the run is done.
 */
export async function currentWeights(): Promise<ParamsSnapshot | null> {
  if (session) return session.snapshot();
  return lastFinal;
}
