// Live charts (recharts): training loss per step with test loss per epoch, batch accuracy with test
// accuracy per epoch, and throughput. They draw downsampled series, recomputed only when records arrive.
// Axes here and in the other charts take interval={0}, so recharts does not measure every tick label in the
// DOM, and legends are plain HTML: both save recharts a measuring pass on every redraw.
import { useMemo } from 'react';
import { CartesianGrid, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { chartSeries } from './chart-data';
import { formatLoss, formatPercent, formatTick } from './format';
import { useChartRecords } from './chart-records';
import { isActive, useLab } from './store';
import { ThroughputChart } from './ThroughputChart';

const TRAIN_COLOR = '#2563eb';
const TEST_COLOR = '#ea580c';

interface ChartProps {
  /** Which refresh slot the chart redraws in (see chart-records.ts). */
  slot: number;
  title: string;
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

function MetricChart({ slot, title, trainKey, testKey, trainName, testName, format, formatAxis, yDomain, placeholder }: ChartProps) {
  const records = useChartRecords(slot);
  const series = useMemo(() => chartSeries(records), [records]);
  const empty = series.train.length === 0;
  return (
    <figure className="panel chart" aria-label={title}>
      <figcaption className="chart-caption">
        {title}
        <ul className="replica-legend" aria-label="Series">
          <li><span className="swatch" style={{ background: TRAIN_COLOR }} />{trainName}</li>
          <li><span className="swatch" style={{ background: TEST_COLOR }} />{testName}</li>
        </ul>
      </figcaption>
      <div className="chart-body" data-testid={`chart-${trainKey}`} data-points={series.train.length}>
        {empty ? (
          <p className="chart-empty">{placeholder}</p>
        ) : (
          <ResponsiveContainer width="100%" height="100%">
            <LineChart margin={{ top: 8, right: 16, bottom: 4, left: 0 }}>
              <CartesianGrid stroke="#e5e7eb" strokeDasharray="3 3" />
              <XAxis interval={0} type="number" dataKey="step" domain={[0, series.totalSteps ?? 'dataMax']} allowDecimals={false}
                tick={{ fontSize: 12 }} label={{ value: 'step', position: 'insideBottomRight', offset: -2, fontSize: 12 }} />
              <YAxis interval={0} domain={yDomain} tickFormatter={(v: number) => formatAxis(v)} width={48} tick={{ fontSize: 12 }} />
              <Tooltip formatter={(v) => (typeof v === 'number' ? format(v) : String(v))} labelFormatter={(step) => `step ${step}`} />
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
  const waiting = useLab((s) => isActive(s.status));
  const placeholder = (what: string) => (waiting ? 'Waiting for the first steps…' : `Press Train to draw the ${what}.`);
  return (
    <div className="charts">
      <MetricChart slot={0} title="Loss" trainKey="loss" testKey="testLoss" trainName="Training loss"
        testName="Test loss (per epoch)" format={formatLoss} formatAxis={formatTick} yDomain={[0, 'auto']} placeholder={placeholder('loss')} />
      <MetricChart slot={1} title="Accuracy" trainKey="accuracy" testKey="testAccuracy" trainName="Batch accuracy"
        testName="Test accuracy (per epoch)" format={(v) => formatPercent(v, 1)} formatAxis={(v) => formatPercent(v, 0)} yDomain={[0, 1]} placeholder={placeholder('accuracy')} />
      <ThroughputChart slot={2} placeholder={placeholder('throughput')} />
    </div>
  );
}
