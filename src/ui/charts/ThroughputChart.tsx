// Training throughput over the run (recharts): each timing record's samples per second over its recent
// window of steps; start-up, pauses and test-set evaluations are not training time.
import { useMemo } from 'react';
import { THROUGHPUT_WINDOW_STEPS } from '../../core/throughput';
import { throughputSeries } from './chart-data';
import { useChartRecords } from './chart-records';
import { formatCount } from '../format';
import { StepSeriesChart } from './StepSeriesChart';

const LINE = { name: 'samples/s', color: '#0f766e', dataKey: 'samplesPerSec' } as const;
const formatRate = (v: number) => `${formatCount(v)} samples/s`;

export function ThroughputChart({ placeholder, waiting }: { placeholder: string; waiting: boolean }) {
  const records = useChartRecords();
  const series = useMemo(() => throughputSeries(records), [records]);
  const note = `samples/s over the last ${series.windowSteps ?? THROUGHPUT_WINDOW_STEPS} steps, training time only`;
  return (
    <StepSeriesChart title="Throughput" note={note} id="throughput" noteTestId="throughput-window" series={series} line={LINE}
      formatValue={formatRate} placeholder={placeholder} waiting={waiting} />
  );
}
