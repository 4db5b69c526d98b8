// Live charts (recharts): training loss per step with test loss per epoch, batch accuracy with test
// accuracy per epoch, throughput, and the learning rate where the run schedules it. They draw bounded series (downsample.ts), recomputed only when the
// records they see change (chart-records.ts: at most every half second, one chart per animation frame).
import { useMemo } from 'react';
import { chartSeries } from './chart-data';
import { useChartRecords } from './chart-records';
import { formatLoss, formatPercent, formatTick } from '../format';
import { LiveChart, type LiveLine } from './LiveChart';
import { useStableSeries } from './stable-series';
import { isActive, useLab } from '../store';
import { LrChart } from './LrChart';
import { ThroughputChart } from './ThroughputChart';

const TRAIN_COLOR = '#2563eb';
const TEST_COLOR = '#ea580c';

interface ChartProps {
  title: string;
  trainKey: 'loss' | 'accuracy';
  testKey: 'testLoss' | 'testAccuracy';
  trainName: string;
  testName: string;
  format: (value: number) => string;
  formatAxis: (value: number) => string;
  yDomain: readonly [number, number | 'auto'];
  /** What an empty chart says. */
  placeholder: string;
  /** A run is starting (see LiveChart). */
  waiting: boolean;
}

function MetricChart({ title, trainKey, testKey, trainName, testName, format, formatAxis, yDomain, placeholder, waiting }: ChartProps) {
  const records = useChartRecords();
  const series = useMemo(() => chartSeries(records), [records]);
  const train = useStableSeries(series.train);
  const test = useStableSeries(series.test);
  const lines = useMemo((): LiveLine[] => [
    { name: trainName, color: TRAIN_COLOR, data: train, dataKey: trainKey },
    { name: testName, color: TEST_COLOR, data: test, dataKey: testKey, width: 2, dots: 3 },
  ], [train, test, trainName, testName, trainKey, testKey]);
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
        <LiveChart lines={lines} xMax={series.totalSteps} yDomain={yDomain} formatTick={formatAxis} formatValue={format} xLabel="step"
          empty={placeholder} waiting={waiting} />
      </div>
    </figure>
  );
}

const LOSS_DOMAIN = [0, 'auto'] as const;
const ACCURACY_DOMAIN = [0, 1] as const;
const formatAccuracy = (v: number) => formatPercent(v, 1);
const formatAccuracyTick = (v: number) => formatPercent(v, 0);

export function MetricsCharts() {
  const waiting = useLab((s) => isActive(s.status));
  const placeholder = (what: string) => (waiting ? 'Waiting for the first steps…' : `Press Train to draw the ${what}.`);
  return (
    <div className="charts">
      <MetricChart title="Loss" trainKey="loss" testKey="testLoss" trainName="Training loss" testName="Test loss (per epoch)"
        format={formatLoss} formatAxis={formatTick} yDomain={LOSS_DOMAIN} placeholder={placeholder('loss')} waiting={waiting} />
      <MetricChart title="Accuracy" trainKey="accuracy" testKey="testAccuracy" trainName="Batch accuracy" testName="Test accuracy (per epoch)"
        format={formatAccuracy} formatAxis={formatAccuracyTick} yDomain={ACCURACY_DOMAIN} placeholder={placeholder('accuracy')} waiting={waiting} />
      <ThroughputChart placeholder={placeholder('throughput')} waiting={waiting} />
      <LrChart placeholder={placeholder('learning rate')} waiting={waiting} />
    </div>
  );
}
