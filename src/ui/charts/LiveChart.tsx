// The lab's live line chart (recharts, set up to redraw cheaply while training: RechartsFrame.tsx), or
// its placeholder. recharts loads as its own chunk, asked for as soon as the page runs this module.
import { lazy, memo, Suspense } from 'react';

export interface LiveLine {
  name: string;
  color: string;
  /**
   * Points sorted by step, bounded (downsample.ts) and kept by useStableSeries, so recharts recomputes a
   * line only when its points change. Points without `dataKey` are skipped.
   */
  data: readonly { step: number }[];
  dataKey: string;
  width?: number;
  opacity?: number;
  /** A dot of this radius at each point, for a series of a few points (the test set's, once per epoch). */
  dots?: number;
}

export interface LiveChartProps {
  lines: readonly LiveLine[];
  /** The x axis runs from 0 to the run's last step when known, else to the last point's. */
  xMax: number | null;
  /** The y axis: from the first value to the second, or to a round number above the data ('auto'). */
  yDomain: readonly [number, number | 'auto'];
  formatTick: (value: number) => string;
  formatValue: (value: number) => string;
  tickSize?: number;
  /** Name the x axis ("step") at its end. */
  xLabel?: string;
  /** What a chart with no points says. */
  empty: string;
  /**
   * A run is starting: a chart with no points shows its frame (no ticks) with `empty` inside, so recharts
   * mounts while the run starts up and its first steps only redraw it. Otherwise it is a plain placeholder.
   */
  waiting: boolean;
}

const frame = import('./RechartsFrame');
const RechartsFrame = lazy(() => frame);

function LiveChartImpl(props: LiveChartProps) {
  const note = props.lines.every((l) => l.data.length === 0) ? props.empty : null;
  if (note && !props.waiting) return <p className="chart-empty">{note}</p>;
  return (
    <Suspense fallback={<p className="chart-empty">{note}</p>}>
      <RechartsFrame {...props} note={note} />
    </Suspense>
  );
}

export const LiveChart = memo(LiveChartImpl);
