// What the progress panel shows, derived in one pass from a run's metric records.
import type { DoneRecord, EvalRecord, FaultRecord, MetricRecord, StepRecord, TimingRecord } from '../../core/metrics';

export interface RunSummary {
  firstStep: StepRecord | null;
  lastStep: StepRecord | null;
  timing: TimingRecord | null;
  evals: EvalRecord[];
  done: DoneRecord | null;
  /** Replicas that failed while the run went on. */
  faults: FaultRecord[];
}

export function summarize(records: readonly MetricRecord[]): RunSummary {
  const summary: RunSummary = { firstStep: null, lastStep: null, timing: null, evals: [], done: null, faults: [] };
  for (const r of records) {
    if (r.type === 'step') {
      summary.firstStep ??= r;
      summary.lastStep = r;
    } else if (r.type === 'timing') summary.timing = r;
    else if (r.type === 'eval') summary.evals.push(r);
    else if (r.type === 'done') summary.done = r;
    else if (r.type === 'fault') summary.faults.push(r);
  }
  return summary;
}

/** The records as JSON Lines, the same format as the CLI's --json output. */
export function toJsonLines(records: readonly MetricRecord[]): string {
  return records.map((r) => `${JSON.stringify(r)}\n`).join('');
}
