// Loss per replica (each on its own shard of the batch) and the global loss (the mean over the global
// batch), per step and downsampled like the main charts.
import { useMemo } from 'react';
import { CartesianGrid, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import type { MetricRecord } from '../core/metrics';
import { formatLoss, formatTick } from './format';
import { replicaKey, replicaLossSeries } from './parallel-data';
import { GLOBAL_LOSS_COLOR, replicaColor } from './replica-colors';

interface Props {
  records: readonly MetricRecord[];
  totalSteps: number | null;
  /** What the empty chart says. */
  empty: string;
}

export function ReplicaLossChart({ records, totalSteps, empty }: Props) {
  const series = useMemo(() => replicaLossSeries(records), [records]);
  return (
    <figure className="panel dp-card" aria-label="Loss per replica">
      <div className="dp-card-head">
        <figcaption>Loss per replica</figcaption>
        <ul className="replica-legend" aria-label="Series">
          {Array.from({ length: series.replicas }, (_, k) => (
            <li key={k}><span className="swatch" style={{ background: replicaColor(k) }} />replica {k}</li>
          ))}
          <li><span className="swatch" style={{ background: GLOBAL_LOSS_COLOR }} />global</li>
        </ul>
      </div>
      <p className="dp-note">Each replica&apos;s mean loss on its own shard; the global loss is the mean over the whole batch.</p>
      <div className="dp-chart-body" data-testid="replica-loss-chart" data-points={series.points.length} data-replicas={series.replicas}>
        {series.points.length === 0 ? (
          <p className="chart-empty">{empty}</p>
        ) : (
          <ResponsiveContainer width="100%" height="100%">
            <LineChart data={series.points} margin={{ top: 4, right: 12, bottom: 0, left: 0 }}>
              <CartesianGrid stroke="#e5e7eb" strokeDasharray="3 3" />
              <XAxis interval={0} type="number" dataKey="step" domain={[0, totalSteps ?? 'dataMax']} allowDecimals={false} tick={{ fontSize: 11 }} />
              <YAxis interval={0} domain={[0, 'auto']} tickFormatter={(v: number) => formatTick(v)} width={44} tick={{ fontSize: 11 }} />
              <Tooltip formatter={(v) => (typeof v === 'number' ? formatLoss(v) : String(v))} labelFormatter={(step) => `step ${step}`} />
              {Array.from({ length: series.replicas }, (_, k) => (
                <Line key={k} dataKey={replicaKey(k)} name={`replica ${k}`} stroke={replicaColor(k)} strokeWidth={1.25}
                  strokeOpacity={0.85} dot={false} isAnimationActive={false} />
              ))}
              <Line dataKey="loss" name="global" stroke={GLOBAL_LOSS_COLOR} strokeWidth={2} dot={false} isAnimationActive={false} />
            </LineChart>
          </ResponsiveContainer>
        )}
      </div>
    </figure>
  );
}
