// Live charts (recharts): training loss per step with test loss per epoch, and batch accuracy with
// test accuracy per epoch. They draw the downsampled series, recomputed only when records arrive.
import { useMemo } from 'react';
import { CartesianGrid, Legend, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { chartSeries, type ChartSeries } from './chart-data';
import { formatLoss, formatPercent, formatTick } from './format';
import { isActive, useLab } from './store';

const TRAIN_COLOR = '#2563eb';
const TEST_COLOR = '#ea580c';

interface ChartProps {
  title: string;
  series: ChartSeries;
  trainKey: 'loss' | 'accuracy';
  testKey: 'testLoss' | 'testAccuracy';
  trainName: string;
  testName: string;
  format: (value: number) => string;
  formatAxis: (value: number) => string;
  yDomain: [number, number | 'auto'];
  /** What an empty chart says. */
  placeholder: string;
}

function MetricChart({ title, series, trainKey, testKey, trainName, testName, format, formatAxis, yDomain, placeholder }: ChartProps) {
  const empty = series.train.length === 0;
  return (
    <figure className="panel chart" aria-label={title}>
      <figcaption>{title}</figcaption>
      <div className="chart-body" data-testid={`chart-${trainKey}`} data-points={series.train.length}>
        {empty ? (
          <p className="chart-empty">{placeholder}</p>
        ) : (
          <ResponsiveContainer width="100%" height="100%">
            <LineChart margin={{ top: 8, right: 16, bottom: 4, left: 0 }}>
              <CartesianGrid stroke="#e5e7eb" strokeDasharray="3 3" />
              <XAxis type="number" dataKey="step" domain={[0, series.totalSteps ?? 'dataMax']} allowDecimals={false}
                tick={{ fontSize: 12 }} label={{ value: 'step', position: 'insideBottomRight', offset: -2, fontSize: 12 }} />
              <YAxis domain={yDomain} tickFormatter={(v: number) => formatAxis(v)} width={48} tick={{ fontSize: 12 }} />
              <Tooltip formatter={(v) => (typeof v === 'number' ? format(v) : String(v))} labelFormatter={(step) => `step ${step}`} />
              <Legend verticalAlign="top" height={24} iconType="plainline" itemSorter={null} wrapperStyle={{ fontSize: 12 }} />
              <Line data={series.train} dataKey={trainKey} name={trainName} stroke={TRAIN_COLOR} strokeWidth={1.5}
                dot={false} isAnimationActive={false} />
              <Line data={series.test} dataKey={testKey} name={testName} stroke={TEST_COLOR} strokeWidth={2}
                dot={{ r: 3 }} isAnimationActive={false} />
            </LineChart>
          </ResponsiveContainer>
        )}
      </div>
    </figure>
  );
}

export function MetricsCharts() {
  const records = useLab((s) => s.records);
  const series = useMemo(() => chartSeries(records), [records]);
  const waiting = useLab((s) => isActive(s.status));
  const placeholder = (what: string) => (waiting ? 'Waiting for the first steps…' : `Press Train to draw the ${what}.`);
  return (
    <div className="charts">
      <MetricChart title="Loss" series={series} trainKey="loss" testKey="testLoss" trainName="Training loss"
        testName="Test loss (per epoch)" format={formatLoss} formatAxis={formatTick} yDomain={[0, 'auto']} placeholder={placeholder('loss')} />
      <MetricChart title="Accuracy" series={series} trainKey="accuracy" testKey="testAccuracy" trainName="Batch accuracy"
        testName="Test accuracy (per epoch)" format={(v) => formatPercent(v, 1)} formatAxis={(v) => formatPercent(v, 0)} yDomain={[0, 1]} placeholder={placeholder('accuracy')} />
    </div>
  );
}
