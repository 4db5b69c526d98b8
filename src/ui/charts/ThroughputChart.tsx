// Training throughput over the run (recharts): each timing record's samples per second over its recent
// window of steps; start-up, pauses and test-set evaluations are not training time.
import { useMemo } from 'react';
import { THROUGHPUT_WINDOW_STEPS } from '../../core/throughput';
import { throughputSeries } from './chart-data';
import { useChartRecords } from './chart-records';
import { formatCount, formatTick } from '../format';
import { LiveChart, type LiveLine } from './LiveChart';
import { useStableSeries } from './stable-series';

const COLOR = '#0f766e';
const Y_DOMAIN = [0, 'auto'] as const;
const formatRate = (v: number) => `${formatCount(v)} samples/s`;

export function ThroughputChart({ placeholder, waiting }: { placeholder: string; waiting: boolean }) {
  const records = useChartRecords();
  const series = useMemo(() => throughputSeries(records), [records]);
  const points = useStableSeries(series.points);
  const lines = useMemo((): LiveLine[] => [{ name: 'samples/s', color: COLOR, data: points, dataKey: 'samplesPerSec', width: 2 }], [points]);
  return (
    <figure className="panel chart" aria-label="Throughput">
      <figcaption className="chart-caption">
        Throughput
        <span className="chart-note" data-testid="throughput-window">
          samples/s over the last {series.windowSteps ?? THROUGHPUT_WINDOW_STEPS} steps, training time only
        </span>
      </figcaption>
      <div className="chart-body" data-testid="chart-throughput" data-points={points.length}>
        <LiveChart lines={lines} xMax={series.totalSteps} yDomain={Y_DOMAIN} formatTick={formatTick} formatValue={formatRate} xLabel="step"
          empty={placeholder} waiting={waiting} />
      </div>
    </figure>
  );
}
