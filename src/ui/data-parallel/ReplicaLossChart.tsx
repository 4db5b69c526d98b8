// Loss per replica (each on its own shard of the batch) and the global loss (the mean over the global
// batch), per step and downsampled like the main charts (recharts, through LiveChart).
import { useMemo } from 'react';
import type { MetricRecord } from '../../core/metrics';
import { formatLoss, formatTick } from '../format';
import { LiveChart, type LiveLine } from '../charts/LiveChart';
import { useStableSeries } from '../charts/stable-series';
import { replicaKey, replicaLossSeries } from './parallel-data';
import { GLOBAL_LOSS_COLOR, replicaColor } from './replica-colors';
import { isActive, useLab } from '../store';
import { replicaName, useClass } from '../class/class-store';

interface Props {
  records: readonly MetricRecord[];
  totalSteps: number | null;
  /** What the empty chart says. */
  empty: string;
}

const Y_DOMAIN = [0, 'auto'] as const;

export function ReplicaLossChart({ records, totalSteps, empty }: Props) {
  const series = useMemo(() => replicaLossSeries(records), [records]);
  const points = useStableSeries(series.points);
  const waiting = useLab((s) => isActive(s.status));
  const names = useClass((s) => s.runNames);
  const lines = useMemo((): LiveLine[] => [
    ...Array.from({ length: series.replicas }, (_, k) => ({
      name: replicaName(names, k), color: replicaColor(k), data: points, dataKey: replicaKey(k), width: 1.25, opacity: 0.85,
    })),
    { name: 'global', color: GLOBAL_LOSS_COLOR, data: points, dataKey: 'loss', width: 2 },
  ], [points, series.replicas, names]);
  return (
    <figure className="panel dp-card" aria-label="Loss per replica">
      <div className="dp-card-head">
        <figcaption>Loss per replica</figcaption>
        <ul className="replica-legend" aria-label="Series">
          {Array.from({ length: series.replicas }, (_, k) => (
            <li key={k}><span className="swatch" style={{ background: replicaColor(k) }} />{replicaName(names, k)}</li>
          ))}
          <li><span className="swatch" style={{ background: GLOBAL_LOSS_COLOR }} />global</li>
        </ul>
      </div>
      <p className="dp-note">Each replica&apos;s mean loss on its own shard; the global loss is the mean over the whole batch.</p>
      <div className="dp-chart-body" data-testid="replica-loss-chart" data-points={series.points.length} data-replicas={series.replicas}>
        <LiveChart lines={lines} xMax={totalSteps} yDomain={Y_DOMAIN} formatTick={formatTick} formatValue={formatLoss} tickSize={11}
          empty={empty} waiting={waiting} />
      </div>
    </figure>
  );
}
