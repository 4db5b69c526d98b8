// One quantity over the run's steps as a single line (recharts): the frame the throughput and
// learning-rate charts share, each giving its series, its colour, its caption note and its value format.
import { useMemo, type ReactNode } from 'react';
import { formatTick } from '../format';
import { LiveChart, type LiveLine } from './LiveChart';
import { useStableSeries } from './stable-series';

const Y_DOMAIN = [0, 'auto'] as const;

export interface StepSeriesChartProps<P extends { step: number }> {
  title: string;
  /** What the line shows, under the title. */
  note: ReactNode;
  /** Test ids: the chart body is `chart-<id>`, the note `noteTestId`. */
  id: string;
  noteTestId: string;
  series: { points: P[]; totalSteps: number | null };
  /** A constant (module-level), so the chart keeps its lines between renders. */
  line: { name: string; color: string; dataKey: keyof P & string };
  formatValue: (v: number) => string;
  placeholder: string;
  waiting: boolean;
}

export function StepSeriesChart<P extends { step: number }>(props: StepSeriesChartProps<P>) {
  const { series, line } = props;
  const points = useStableSeries(series.points);
  const lines = useMemo((): LiveLine[] => [{ ...line, data: points, width: 2 }], [line, points]);
  return (
    <figure className="panel chart" aria-label={props.title}>
      <figcaption className="chart-caption">
        {props.title}
        <span className="chart-note" data-testid={props.noteTestId}>{props.note}</span>
      </figcaption>
      <div className="chart-body" data-testid={`chart-${props.id}`} data-points={points.length}>
        <LiveChart lines={lines} xMax={series.totalSteps} yDomain={Y_DOMAIN} formatTick={formatTick} formatValue={props.formatValue}
          xLabel="step" empty={props.placeholder} waiting={props.waiting} />
      </div>
    </figure>
  );
}
