// One lane per model-parallel worker for the latest step, as measured in the workers: each micro-batch's
// forward (F), backward (B) and, with recompute=1, the forward recomputed before it (R), sends, waits for a neighbour and the update; the measured bubble next to
// the theory (p−1)/(m+p−1).
import type { RunConfig } from '../../core/config';
import type { StagesRecord } from '../../core/metrics';
import type { TimelineSpan } from '../../core/model-parallel';
import { workerName } from '../../parallel/members';
import { formatMs, formatPercent } from '../format';
import { replicaColor } from '../data-parallel/replica-colors';

type TimelineSpanKind = TimelineSpan['kind'];

const KINDS: readonly { kind: TimelineSpanKind; label: string }[] = [
  { kind: 'F', label: 'forward' },
  { kind: 'B', label: 'backward' },
  { kind: 'recompute', label: 'forward recomputed before its backward' },
  { kind: 'send', label: 'read back + send' },
  { kind: 'wait', label: 'waiting for other workers' },
  { kind: 'allreduce', label: 'gradient all-reduce with the other replicas' },
  { kind: 'update', label: 'optimizer update' },
];

/** What a span of a micro-batch did, in its tooltip. */
const SPAN_WORDS: Partial<Record<TimelineSpanKind, string>> = { F: 'forward', B: 'backward', recompute: 'forward recomputed' };

function spanStyle(kind: TimelineSpanKind, worker: number): { background: string } {
  const color = replicaColor(worker);
  if (kind === 'F') return { background: color };
  if (kind === 'B') return { background: `repeating-linear-gradient(135deg, ${color} 0 4px, #1f2937 4px 6px)` };
  if (kind === 'recompute') return { background: `repeating-linear-gradient(90deg, ${color} 0 4px, #fde047 4px 6px)` };
  if (kind === 'send') return { background: '#94a3b8' };
  if (kind === 'update') return { background: '#5eead4' };
  if (kind === 'allreduce') return { background: '#f59e0b' };
  return { background: 'repeating-linear-gradient(90deg, #e5e7eb 0 3px, transparent 3px 6px)' };
}

export function PipelineTimeline({ config, latest, median, empty }: {
  config: RunConfig; latest: StagesRecord | null; median: number | null; empty: string;
}) {
  return (
    <figure className="panel dp-card" aria-label="Model-parallel timeline" data-testid="pipeline-timeline">
      <div className="dp-card-head">
        <figcaption>Workers in the last step{latest ? ` (step ${latest.step})` : ''} <span className="muted">(wall clock in each worker)</span></figcaption>
      </div>
      <ul className="phase-legend">
        {KINDS.filter((k) => (k.kind !== 'allreduce' || config.replicas > 1) && (k.kind !== 'recompute' || config.recompute === 1)).map((k) => <li key={k.kind}><span className="swatch" style={spanStyle(k.kind, 0)} />{k.label}</li>)}
      </ul>
      {!latest ? <p className="chart-empty dp-empty">{empty}</p> : <Lanes config={config} latest={latest} />}
      {latest && (
        <p className="dp-note" data-testid="bubble">
          {latest.mode === 'pipeline' ? 'Bubble' : 'Idle, waiting for the partial sums'} (idle share of {latest.spans.length} workers × the step): this step{' '}
          <strong data-testid="bubble-measured" data-value={latest.bubble}>{formatPercent(latest.bubble)}</strong>
          {median !== null && <>, median of recent steps <strong data-testid="bubble-median" data-value={median}>{formatPercent(median)}</strong></>}
          {latest.theory !== null && (
            <>; GPipe theory (p−1)/(m+p−1) = <strong data-testid="bubble-theory" data-value={latest.theory}>{formatPercent(latest.theory)}</strong> with
              equal stage times and free messages</>
          )}
          {latest.scheduled !== null && (
            <>; with this step&apos;s measured stage times and free messages <strong data-testid="bubble-scheduled" data-value={latest.scheduled}>{formatPercent(latest.scheduled)}</strong>{' '}
              (the gap to the measured bubble is the cost of reading activations back and passing them on)</>
          )}.
        </p>
      )}
    </figure>
  );
}

function Lanes({ config, latest }: { config: RunConfig; latest: StagesRecord }) {
  const span = Math.max(...latest.spans.flat().map((s) => s.end), 1e-9);
  const pct = (ms: number) => `${(100 * ms) / span}%`;
  return (
    <div className="timeline" data-testid="mp-lanes">
      {latest.spans.map((spans, k) => (
        <div key={k} className="timeline-row mp-row" data-testid="mp-lane" data-worker={k}>
          <span className="lane-label"><span className="swatch" style={{ background: replicaColor(k) }} />{workerName(config, k)}</span>
          <div className="lane-track mp-track">
            {spans.map((s, i) => {
              const label = s.kind === 'F' || s.kind === 'B' ? `${s.kind}${s.microbatch}` : s.kind === 'recompute' ? `R${s.microbatch}` : '';
              return (
                <span key={i} className="segment mp-span" data-kind={s.kind}
                  title={`${workerName(config, k)} · ${label ? `${SPAN_WORDS[s.kind]} of micro-batch ${s.microbatch}` : s.kind}: ${formatMs(s.end - s.start)} ms`}
                  style={{ left: pct(s.start), width: pct(s.end - s.start), ...spanStyle(s.kind, k) }}>
                  {label}
                </span>
              );
            })}
          </div>
        </div>
      ))}
      <p className="dp-note timeline-span">{formatMs(span)} ms from the first worker&apos;s start to the last one&apos;s end. Hover a span for its time.</p>
    </div>
  );
}
