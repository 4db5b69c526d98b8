// What the Downloads panel writes: the metric records as CSV (JSON Lines is toJsonLines in run-summary.ts)
// and the worker timeline as a Chrome trace (Trace Event Format, open it in chrome://tracing or Perfetto).
import type { RunConfig } from '../../core/config';
import type { MetricRecord, PhaseTimes, TimingRecord, WorkersRecord } from '../../core/metrics';

export const CSV_COLUMNS = [
  'type', 'step', 'epoch', 'loss', 'accuracy', 'lr', 'replicaLoss', 'testLoss', 'testAccuracy',
  'totalSteps', 'samplesPerSec', 'windowSteps', 'averageSamplesPerSec', 'elapsedMs', 'startupMs', 'steps', 'weightsSha256', 'reason', 'message', 'rank', 'restartedFrom',
  'change', 'name', 'world', 'membershipChanges',
] as const;

/** The flat records (step, eval, timing, done, stopped, fault, membership) as CSV; replicaLoss joins its values with ';'. */
export function toCsv(records: readonly MetricRecord[]): string {
  const rows = [CSV_COLUMNS.join(',')];
  for (const r of records) {
    if (r.type === 'shard' || r.type === 'workers' || r.type === 'sync') continue;
    const values = r as unknown as Record<string, unknown>;
    rows.push(CSV_COLUMNS.map((c) => csvCell(values[c])).join(','));
  }
  return `${rows.join('\n')}\n`;
}

function csvCell(v: unknown): string {
  if (v === undefined || v === null) return '';
  const text = Array.isArray(v) ? v.join(';') : String(v);
  return /[",\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export interface TraceEvent {
  name: string;
  ph: 'X' | 'M';
  ts: number;
  dur?: number;
  pid: number;
  tid: number;
  args?: Record<string, unknown>;
}

const PHASE_NAMES: [keyof PhaseTimes, string][] = [
  ['computeMs', 'compute'], ['readbackMs', 'readback'], ['allreduceMs', 'all-reduce'], ['updateMs', 'update'],
];
const US = 1000;

/**
 * The worker timeline as Trace Event Format: one thread per replica, each step's phases as consecutive
 * slices, steps laid end to end at the slowest replica (a step ends when the all-reduce lets all go on).
 * One replica has no per-phase data: its timing records become one slice per measured window.
 */
export function toChromeTrace(records: readonly MetricRecord[], config: RunConfig): { traceEvents: TraceEvent[] } {
  const workers = records.filter((r): r is WorkersRecord => r.type === 'workers');
  const events: TraceEvent[] = [{ name: 'process_name', ph: 'M', ts: 0, pid: 1, tid: 0, args: { name: 'WebGPU Training Lab' } }];
  if (workers.length === 0) return { traceEvents: [...events, ...windowSlices(records)] };
  // With local SGD the update runs before the (occasional) weight averaging.
  const order = config.sync === 'step' ? PHASE_NAMES : [PHASE_NAMES[0], PHASE_NAMES[1], PHASE_NAMES[3], PHASE_NAMES[2]];
  const replicas = Math.max(...workers.map((w) => w.times.length));
  for (let k = 0; k < replicas; k++) events.push({ name: 'thread_name', ph: 'M', ts: 0, pid: 1, tid: k, args: { name: `replica ${k}` } });
  let start = 0;
  for (const w of workers) {
    let longest = 0;
    w.times.forEach((t, rank) => {
      let at = start;
      for (const [key, name] of order) {
        events.push({ name, ph: 'X', ts: at * US, dur: t[key] * US, pid: 1, tid: rank, args: { step: w.step, bytesSent: w.bytesSent[rank] } });
        at += t[key];
      }
      longest = Math.max(longest, at - start);
    });
    start += longest;
  }
  return { traceEvents: events };
}

function windowSlices(records: readonly MetricRecord[]): TraceEvent[] {
  const timings = records.filter((r): r is TimingRecord => r.type === 'timing');
  const out: TraceEvent[] = [{ name: 'thread_name', ph: 'M', ts: 0, pid: 1, tid: 0, args: { name: 'replica 0 (no per-phase data with one replica)' } }];
  let prev = { step: 0, elapsedMs: 0 };
  for (const t of timings) {
    out.push({
      name: `steps ${prev.step + 1}–${t.step}`, ph: 'X', ts: prev.elapsedMs * US, dur: (t.elapsedMs - prev.elapsedMs) * US,
      pid: 1, tid: 0, args: { samplesPerSec: t.samplesPerSec },
    });
    prev = t;
  }
  return out;
}
