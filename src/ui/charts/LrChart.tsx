// The learning rate of every step (recharts), shown when the run schedules it: the warm-up's climb and the
// linear or cosine decay, as the optimizer took them (the step records' lr).
import { useMemo } from 'react';
import { lrSeries } from './chart-data';
import { useChartRecords } from './chart-records';
import { StepSeriesChart } from './StepSeriesChart';
import { useLab } from '../store';

const LINE = { name: 'learning rate', color: '#7c3aed', dataKey: 'lr' } as const;
const formatLr = (v: number) => v.toPrecision(3);

export function LrChart({ placeholder, waiting }: { placeholder: string; waiting: boolean }) {
  const config = useLab((s) => s.config);
  const records = useChartRecords();
  const series = useMemo(() => lrSeries(records), [records]);
  if (config.warmup === 0 && config.lrschedule === 'constant') return null;
  const decay = config.lrschedule === 'constant' ? 'then constant' : `then ${config.lrschedule} decay to 0`;
  const note = `${config.warmup > 0 ? `warm-up over ${config.warmup} steps to ${config.lr}, ` : `${config.lr}, `}${decay}`;
  return (
    <StepSeriesChart title="Learning rate" note={note} id="lr" noteTestId="lr-schedule" series={series} line={LINE}
      formatValue={formatLr} placeholder={placeholder} waiting={waiting} />
  );
}
