// Training throughput over the run: each timing record's samples per second over its recent window of
// steps; start-up, pauses and test-set evaluations are not training time.
import { useMemo } from 'react';
import { THROUGHPUT_WINDOW_STEPS } from '../../core/throughput';
import { throughputSeries } from './chart-data';
import { useChartRecords } from './chart-records';
import { formatCount, formatTick } from '../format';
import { LineChart, type ChartLine } from './LineChart';

const COLOR = '#0f766e';
const Y_DOMAIN = [0, 'auto'] as const;
const formatRate = (v: number) => `${formatCount(v)} samples/s`;

export function ThroughputChart({ placeholder }: { placeholder: string }) {
  const records = useChartRecords();
  const series = useMemo(() => throughputSeries(records), [records]);
  const { points } = series;
  const lines = useMemo((): ChartLine[] => [
    { name: 'samples/s', color: COLOR, points, valueKey: 'samplesPerSec', width: 2, dots: points.length <= 40 ? 2 : undefined },
  ], [points]);
  return (
    <figure className="panel chart" aria-label="Throughput">
      <figcaption className="chart-caption">
        Throughput
        <span className="chart-note" data-testid="throughput-window">
          samples/s over the last {series.windowSteps ?? THROUGHPUT_WINDOW_STEPS} steps, training time only
        </span>
      </figcaption>
      <div className="chart-body" data-testid="chart-throughput" data-points={points.length}>
        {points.length === 0
          ? <p className="chart-empty">{placeholder}</p>
          : <LineChart lines={lines} xMax={series.totalSteps} yDomain={Y_DOMAIN} formatTick={formatTick} formatValue={formatRate} xLabel="step" />}
      </div>
    </figure>
  );
}
