// The learning rate of every step (recharts), shown when the run schedules it: the warm-up's climb and the
// linear or cosine decay, as the optimizer took them (the step records' lr).
import { useMemo } from 'react';
import { lrSeries } from './chart-data';
import { useChartRecords } from './chart-records';
import { formatTick } from '../format';
import { LiveChart, type LiveLine } from './LiveChart';
import { useStableSeries } from './stable-series';
import { useLab } from '../store';

const COLOR = '#7c3aed';
const Y_DOMAIN = [0, 'auto'] as const;
const formatLr = (v: number) => v.toPrecision(3);

export function LrChart({ placeholder, waiting }: { placeholder: string; waiting: boolean }) {
  const config = useLab((s) => s.config);
  const records = useChartRecords();
  const series = useMemo(() => lrSeries(records), [records]);
  const points = useStableSeries(series.points);
  const lines = useMemo((): LiveLine[] => [{ name: 'learning rate', color: COLOR, data: points, dataKey: 'lr', width: 2 }], [points]);
  if (config.warmup === 0 && config.lrschedule === 'constant') return null;
  const decay = config.lrschedule === 'constant' ? 'then constant' : `then ${config.lrschedule} decay to 0`;
  return (
    <figure className="panel chart" aria-label="Learning rate">
      <figcaption className="chart-caption">
        Learning rate
        <span className="chart-note" data-testid="lr-schedule">
          {config.warmup > 0 ? `warm-up over ${config.warmup} steps to ${config.lr}, ` : `${config.lr}, `}{decay}
        </span>
      </figcaption>
      <div className="chart-body" data-testid="chart-lr" data-points={points.length}>
        <LiveChart lines={lines} xMax={series.totalSteps} yDomain={Y_DOMAIN} formatTick={formatTick} formatValue={formatLr} xLabel="step"
          empty={placeholder} waiting={waiting} />
      </div>
    </figure>
  );
}
