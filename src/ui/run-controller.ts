// Drives the training worker from the page's buttons and feeds its messages into the store, in
// batches at most every FLUSH_MS so React renders a few times a second, not once per step.
import type { MetricRecord } from '../core/metrics';
import { TrainingSession } from '../parallel/page-session';
import type { SessionMessage } from '../parallel/page-session';
import { useLab } from './store';

const FLUSH_MS = 200;

let session: TrainingSession | null = null;
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
    case 'finished':
      flush();
      from.terminate();
      session = null;
      break;
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

/** Reset: ends the worker at once and clears the run and its metrics. */
export function reset(): void {
  session?.terminate();
  session = null;
  pending = [];
  if (flushTimer !== null) clearTimeout(flushTimer);
  flushTimer = null;
  useLab.getState().clearRun();
}
