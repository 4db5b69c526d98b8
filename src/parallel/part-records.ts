// What one model-parallel step's reports (in rank order) add up to: the batch's loss from the workers that
// compute one, and the stages record: every worker's timeline from the step's start, its bubble against
// theory and against the stages' own imbalance, traffic and activation memory.
import type { RunConfig } from '../core/config';
import type { StagesRecord } from '../core/metrics';
import { measuredBubble, scheduleBubble, type TimelineSpan } from '../core/model-parallel';
import type { PartReport } from './replica-protocol';

/** One loss per replica (its last stage's), over its shard of the batch, and the batch's. */
export function partLoss(group: PartReport[]) {
  const losses = group.filter((r) => r.loss).map((r) => r.loss!);
  const sum = losses.reduce((a, b) => ({ lossSum: a.lossSum + b.lossSum, correct: a.correct + b.correct, rows: a.rows + b.rows }));
  return { mean: sum.lossSum / sum.rows, accuracy: sum.correct / sum.rows, rows: sum.rows, replicaLoss: losses.map((l) => l.lossSum / l.rows) };
}

/** The schedule's bubble with one replica's measured per-stage forward and backward times and free messages. */
function imbalanceBubble(config: RunConfig, stageSpans: TimelineSpan[][]): number {
  const mean = (spans: TimelineSpan[], kind: 'F' | 'B') => {
    const of = spans.filter((s) => s.kind === kind);
    // A micro-batch's forward or backward may be several spans (segments); sum per micro-batch, then average.
    const micro = new Set(of.map((s) => s.microbatch)).size;
    return of.reduce((t, s) => t + s.end - s.start, 0) / Math.max(1, micro);
  };
  // With accumulation the step runs the schedule once per accumulated share, each a pipeline fill and drain
  // of its own: the bubble is one run's, over that run's micro-batches.
  const microbatches = Math.ceil(new Set(stageSpans[0].filter((s) => s.kind === 'F').map((s) => s.microbatch)).size / config.accumulate);
  return scheduleBubble(config.schedule, microbatches, stageSpans.map((s) => mean(s, 'F')), stageSpans.map((s) => mean(s, 'B')));
}

/** `theory`: the pipeline's bubble with equal stage times (null for tensor). */
export function stagesRecord(config: RunConfig, step: number, group: PartReport[], stages: number, theory: number | null): StagesRecord {
  const pipeline = config.mode === 'pipeline';
  // A pipeline step starts when its first stage starts it: the later stages' waits before then belong to
  // the previous step's drain, so they are cut there and each moment is counted in one step only.
  const starters = pipeline ? group.filter((r) => r.rank % stages === 0) : group;
  const origin = Math.min(...starters.flatMap((r) => r.spans.map((s) => s.start)));
  const spans = group.map((r) => r.spans.filter((s) => s.end > origin).map((s) => ({
    ...s, start: Math.max(s.start, origin) - origin, end: s.end - origin,
  })));
  return {
    type: 'stages', step, mode: config.mode as 'pipeline' | 'tensor', spans, bubble: measuredBubble(spans), theory,
    scheduled: pipeline ? imbalanceBubble(config, spans.slice(0, stages)) : null,
    bytesSent: group.map((r) => r.bytesSent), activationBytes: group.map((r) => r.activationBytes),
  };
}
