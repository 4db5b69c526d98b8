// Drives the training worker from the page's buttons and feeds its messages into the store, in
// batches at most every FLUSH_MS so React renders a few times a second, not once per step; the run's
// first records go in at once, so the first step shows as soon as it is known.
import { serializeConfig, type RunConfig } from '../../core/config';
import type { MetricRecord } from '../../core/metrics';
import { TrainingSession, type ParamsSnapshot, type SessionMessage, type TrainingState } from '../../parallel/page-session';
import { classRun } from '../class/on-demand';
import { importedStart } from '../import-export/imported-weights';
import { clearSavedRun, saveRun, type SavedRun } from './saved-run';
import { isActive, useLab } from '../store';

const FLUSH_MS = 200;

let session: TrainingSession | null = null;
/** The final weights of the last finished run, kept for the model views. */
let lastFinal: ParamsSnapshot | null = null;
/** The run started from imported weights: its checksum is not the link's to expect. */
let fromImport = false;
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
      flushTimer ??= setTimeout(flush, useLab.getState().records.length === 0 ? 0 : FLUSH_MS);
      break;
    case 'error':
      flush();
      lab.failRun(m.message);
      break;
    case 'finished': {
      flush();
      if (fromImport) useLab.setState({ expect: null });
      // A finished run needs no resuming; a stopped one keeps its last saved state to resume from.
      if (useLab.getState().status === 'done') void clearSavedRun().catch(() => {});
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
  start(lab.config);
}

/** The metric records a saved state covers: those up to its step. */
function recordsUpTo(step: number): MetricRecord[] {
  return [...useLab.getState().records, ...pending].filter((r) => r.type !== 'done' && r.step <= step);
}

/** Saves the run in IndexedDB; storage trouble never stops training. */
function persist(config: RunConfig, state: TrainingState): void {
  void saveRun({ config, state, records: recordsUpTo(state.step), savedAt: Date.now() }).catch(() => {});
}

function start(formConfig: RunConfig, saved?: SavedRun): void {
  const lab = useLab.getState();
  // With a class open, the run's replicas are the class's members (teacher-class.ts).
  let inClass;
  try {
    inClass = saved ? null : classRun(formConfig);
  } catch (e) {
    lab.failRun(e instanceof Error ? e.message : String(e));
    return;
  }
  const config = inClass?.config ?? formConfig;
  lab.beginRun(config);
  if (saved) lab.appendRecords(saved.records);
  const imported = saved || inClass ? undefined : importedStart(config);
  const started: TrainingSession = new TrainingSession(config, (m) => handle(started, m), {
    resumeFrom: saved?.state ?? imported,
    onCheckpoint: (state) => persist(config, state),
    env: inClass?.env,
    heartbeatMs: inClass?.heartbeatMs,
  });
  session = started;
  fromImport = !saved && imported !== undefined;
}

/**
 * Resume a run saved in this browser (after a reload, a crashed tab or a diverged loss) where it was
 * saved. A learning rate or epoch count changed in the form since is taken over (to go on more gently
 * after a divergence); any other change would make it a different run, so the saved config wins.
 */
export function resumeSaved(saved: SavedRun): void {
  const form = useLab.getState().config;
  const gentler = { ...saved.config, lr: form.lr, epochs: form.epochs };
  const config = serializeConfig(gentler) === serializeConfig(form) ? gentler : saved.config;
  reset();
  useLab.getState().openShared(config, null);
  start(config, saved);
}

export function pause(): void {
  if (!session || useLab.getState().status !== 'running') return;
  session.pause();
  useLab.getState().setStatus('paused');
  const config = useLab.getState().runConfig;
  void session.state().then((state) => state && config && persist(config, state));
}

/** Step: one more step, then paused (from a running or a paused run). */
export function step(): void {
  const { status, setStatus } = useLab.getState();
  if (!session || !isActive(status)) return;
  session.step();
  setStatus('paused');
}

/** Reset: ends the worker at once and clears the run, its metrics and its saved state. */
export function reset(): void {
  if (session) void clearSavedRun().catch(() => {});
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
