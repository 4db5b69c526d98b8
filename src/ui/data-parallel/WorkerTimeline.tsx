// One lane per replica over the last steps: compute, readback, all-reduce and update as measured in
// each worker (wall clock), with the bytes each replica sent next to the ring's theory and the mean
// split of a step.
import { useMemo } from 'react';
import type { RunConfig } from '../../core/config';
import { datasetShape } from '../../core/datasets';
import { layerSizes, modelLayout } from '../../core/model';
import type { MetricRecord, PhaseTimes, WorkersRecord } from '../../core/metrics';
import { formatBytes, formatMs } from '../format';
import { lastTraffic, meanPhases, recentWorkers, trafficFormula } from './parallel-data';
import { PHASES, replicaColor } from './replica-colors';
import { replicaName, useClass } from '../class/class-store';

const WINDOW_STEPS = 20;

const stepMs = (t: PhaseTimes) => t.computeMs + t.readbackMs + t.allreduceMs + t.updateMs;

/** The order phases run in: with local SGD the update comes before the (occasional) averaging. */
function phaseOrder(config: RunConfig) {
  if (config.sync === 'step') return PHASES;
  return [...PHASES.filter((p) => p.key !== 'allreduceMs'), PHASES.find((p) => p.key === 'allreduceMs')!];
}

function Lanes({ steps, config }: { steps: WorkersRecord[]; config: RunConfig }) {
  const replicas = config.replicas;
  const names = useClass((s) => s.runNames);
  // Steps are aligned at the slowest replica: a step ends when its all-reduce lets everyone go on.
  const starts: number[] = [];
  let span = 0;
  for (const r of steps) {
    starts.push(span);
    span += Math.max(...r.times.map(stepMs));
  }
  const pct = (ms: number) => `${(100 * ms) / (span || 1)}%`;
  const order = phaseOrder(config);
  const tickEvery = Math.max(1, Math.ceil(steps.length / 10));
  return (
    <div className="timeline" data-testid="worker-timeline" data-steps={steps.length}>
      <div className="timeline-row timeline-axis" aria-hidden="true">
        <span className="lane-label">step</span>
        <div className="lane-track">
          {steps.map((r, i) => (i % tickEvery === 0 ? <span key={r.step} className="step-tick" style={{ left: pct(starts[i]) }}>{r.step}</span> : null))}
        </div>
      </div>
      {Array.from({ length: replicas }, (_, rank) => (
        <div key={rank} className="timeline-row" data-testid="timeline-lane" data-rank={rank}>
          <span className="lane-label"><span className="swatch" style={{ background: replicaColor(rank) }} />{replicaName(names, rank)}</span>
          <div className="lane-track">
            {steps.map((r, i) => {
              const t = r.times[rank];
              if (!t) return null;
              let at = starts[i];
              return [
                <span key={`${r.step}`} className="step-line" style={{ left: pct(starts[i]) }} />,
                ...order.map((p) => {
                  const left = at;
                  at += t[p.key];
                  return t[p.key] > 0 ? (
                    <span key={`${r.step}-${p.key}`} className="segment" title={`${replicaName(names, rank)} · step ${r.step} · ${p.label}: ${formatMs(t[p.key])} ms`}
                      style={{ left: pct(left), width: pct(t[p.key]), background: p.color }} />
                  ) : null;
                }),
              ];
            })}
          </div>
        </div>
      ))}
      <p className="dp-note timeline-span">
        Steps {steps[0].step}–{steps[steps.length - 1].step}: {formatMs(span)} ms measured in each worker ({clockText(steps)}); a step lasts as long as its slowest replica.
      </p>
    </div>
  );
}

/** A replica's mean step as one bar split by phase, scaled to the slowest replica's mean step. */
function SplitBar({ times, longest, order }: { times: PhaseTimes; longest: number; order: typeof PHASES }) {
  const text = order.map((p) => `${p.label} ${formatMs(times[p.key])} ms`).join(', ');
  return (
    <span className="split-bar" role="img" aria-label={text} title={text}>
      {order.map((p) => (
        <span key={p.key} style={{ width: `${(100 * times[p.key]) / (longest || 1)}%`, background: p.color }} />
      ))}
    </span>
  );
}

function Traffic({ records, steps, config }: { records: readonly MetricRecord[]; steps: WorkersRecord[]; config: RunConfig }) {
  const traffic = useMemo(() => lastTraffic(records), [records]);
  const means = useMemo(() => meanPhases(steps), [steps]);
  const longest = Math.max(...means.map(stepMs));
  const order = phaseOrder(config);
  const ring = config.allreduce === 'ring';
  const n = config.replicas;
  const names = useClass((s) => s.runNames);
  const theory = trafficFormula(config);
  // K: the model's vector, in float64 on a ring (the partial sums), in float32 through star.
  const k = useMemo(() => {
    const { inputs, classes } = datasetShape(config.dataset);
    return modelLayout(layerSizes(config, inputs, classes)).totalFloats * (ring ? 8 : 4);
  }, [config, ring]);
  return (
    <div className="traffic">
      <table className="dp-table">
        <thead>
          <tr>
            <th scope="col">Replica</th>
            <th scope="col" title="Bytes this replica sent in the all-reduce of the last synchronised step">Sent</th>
            <th scope="col" title={theory.explain}>Theory {theory.formula}</th>
            <th scope="col" className="split-col" title="Mean milliseconds per step over the steps shown, split by phase">Mean step</th>
          </tr>
        </thead>
        <tbody>
          {means.map((t, rank) => (
            <tr key={rank} data-testid={`traffic-replica-${rank}`}>
              <th scope="row"><span className="swatch" style={{ background: replicaColor(rank) }} />{names ? names[rank] : rank}</th>
              <td data-testid={`bytes-sent-${rank}`} data-value={traffic?.bytesSent[rank]} title={traffic ? `${traffic.bytesSent[rank]} B` : undefined}>
                {traffic ? formatBytes(traffic.bytesSent[rank]) : '—'}
              </td>
              <td data-testid={`theory-bytes-${rank}`} data-value={traffic?.theoryBytes} title={traffic ? `${traffic.theoryBytes} B` : undefined}>
                {traffic ? formatBytes(traffic.theoryBytes) : '—'}
              </td>
              <td className="split-col"><SplitBar times={t} longest={longest} order={order} /><span className="split-total">{formatMs(stepMs(t))} ms</span></td>
            </tr>
          ))}
        </tbody>
      </table>
      <p className="dp-note">
        {traffic
          ? `Sent at step ${traffic.step}; K = ${formatBytes(k)} (${ring ? 'the vector as float64 partial sums' : 'the float32 vector'}), N = ${n}. `
          : 'No all-reduce yet. '}
        Hover a bar for its phases in ms.
      </p>
    </div>
  );
}

/** How the shown times were measured: compute from GPU timestamps where the adapter offers them. */
function clockText(steps: readonly WorkersRecord[]): string {
  return steps.length && steps.every((r) => r.clock === 'gpu') ? 'compute: GPU timestamps; other phases: wall clock' : 'wall clock';
}

export function WorkerTimeline({ config, records, empty }: { config: RunConfig; records: readonly MetricRecord[]; empty: string }) {
  const steps = useMemo(() => recentWorkers(records, WINDOW_STEPS), [records]);
  return (
    <figure className="panel dp-card" aria-label="Worker timeline">
      <div className="dp-card-head">
        <figcaption>Workers, last {WINDOW_STEPS} steps <span className="muted">({clockText(steps)})</span></figcaption>
      </div>
      <ul className="phase-legend">
        {phaseOrder(config).map((p) => <li key={p.key}><span className="swatch" style={{ background: p.color }} />{p.label}</li>)}
      </ul>
      {steps.length === 0 ? (
        <p className="chart-empty dp-empty">{empty}</p>
      ) : (
        <>
          <Lanes steps={steps} config={config} />
          <Traffic records={records} steps={steps} config={config} />
        </>
      )}
    </figure>
  );
}
