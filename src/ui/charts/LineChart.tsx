// The lab's live line chart as plain SVG: a grid, two axes, a path per line and a readout of the values
// at the hovered step. A redraw is a few dozen elements and one path per line, so it stays far below a
// frame's budget (recharts, used before, took 50–500 ms per redraw on a loaded 2-core machine).
import { memo, useMemo, useState, type PointerEvent } from 'react';
import { linePath, nearestIndex, niceMax, niceTicks } from './chart-scale';
import { useElementSize } from '../element-size';

export interface ChartLine {
  name: string;
  color: string;
  /** Sorted by step (bounded: see downsample.ts); `valueKey` names the value drawn, points without it are skipped. */
  points: readonly { step: number }[];
  valueKey: string;
  width?: number;
  opacity?: number;
  /** A dot of this radius at each point, for sparse series. */
  dots?: number;
}

interface Props {
  lines: readonly ChartLine[];
  /** The x axis runs from 0 to the run's last step when known, else to the last point's. */
  xMax: number | null;
  /** The y axis: from the first value to the second, or to a round number above the data ('auto'). */
  yDomain: readonly [number, number | 'auto'];
  formatTick: (value: number) => string;
  formatValue: (value: number) => string;
  tickSize?: number;
  /** Name the x axis ("step") at its end. */
  xLabel?: string;
}

const MARGIN = { top: 8, right: 16, bottom: 22, left: 48 };
const GRID = '#e5e7eb';
const AXIS = '#9ca3af';
const TEXT = '#4b5563';

const valueOf = (point: { step: number }, key: string): number | undefined => (point as unknown as Record<string, number | undefined>)[key];

function LineChartImpl({ lines, xMax, yDomain, formatTick, formatValue, tickSize = 12, xLabel }: Props) {
  const [ref, size] = useElementSize<HTMLDivElement>();
  const [hovered, setHovered] = useState<number | null>(null);

  const chart = useMemo(() => {
    if (!size || size.width <= MARGIN.left + MARGIN.right || size.height <= MARGIN.top + MARGIN.bottom) return null;
    const lastStep = Math.max(1, ...lines.map((l) => l.points.at(-1)?.step ?? 0));
    const xEnd = Math.max(1, xMax ?? lastStep);
    let top = yDomain[1];
    if (top === 'auto') {
      let max = 0;
      for (const l of lines) for (const p of l.points) max = Math.max(max, valueOf(p, l.valueKey) ?? 0);
      top = niceMax(max);
    }
    const [y0, y1] = [yDomain[0], top];
    const plotW = size.width - MARGIN.left - MARGIN.right;
    const plotH = size.height - MARGIN.top - MARGIN.bottom;
    const x = (step: number) => MARGIN.left + (step / xEnd) * plotW;
    const y = (v: number) => MARGIN.top + plotH - ((v - y0) / (y1 - y0 || 1)) * plotH;
    const drawn = lines.map((l) => {
      const xy = l.points.map((p): [number, number] => {
        const v = valueOf(p, l.valueKey);
        return [x(p.step), v === undefined ? Number.NaN : y(v)];
      });
      return { line: l, path: linePath(xy), dots: l.dots ? xy.filter(([, py]) => Number.isFinite(py)) : [] };
    });
    return { x, y, xEnd, plotW, plotH, drawn, xTicks: niceTicks(xEnd, 5, true), yTicks: niceTicks(y1 - y0).map((t) => t + y0) };
  }, [size, lines, xMax, yDomain]);

  const onMove = (e: PointerEvent<SVGSVGElement>) => {
    if (!chart) return;
    const px = e.clientX - e.currentTarget.getBoundingClientRect().left;
    setHovered(Math.min(chart.xEnd, Math.max(0, ((px - MARGIN.left) / chart.plotW) * chart.xEnd)));
  };
  // Other lines show a value only where they have a point within a few pixels (test points once per epoch).
  const readout = chart && hovered !== null ? readoutAt(lines, hovered, (6 * chart.xEnd) / chart.plotW) : null;

  return (
    <div ref={ref} className="line-chart">
      {chart && size && (
        <svg width={size.width} height={size.height} onPointerMove={onMove} onPointerLeave={() => setHovered(null)} aria-hidden="true">
          <g stroke={GRID} strokeDasharray="3 3">
            {chart.yTicks.map((t) => <line key={`y${t}`} x1={MARGIN.left} x2={MARGIN.left + chart.plotW} y1={chart.y(t)} y2={chart.y(t)} />)}
            {chart.xTicks.map((t) => <line key={`x${t}`} x1={chart.x(t)} x2={chart.x(t)} y1={MARGIN.top} y2={MARGIN.top + chart.plotH} />)}
          </g>
          <g stroke={AXIS}>
            <line x1={MARGIN.left} x2={MARGIN.left + chart.plotW} y1={MARGIN.top + chart.plotH} y2={MARGIN.top + chart.plotH} />
            <line x1={MARGIN.left} x2={MARGIN.left} y1={MARGIN.top} y2={MARGIN.top + chart.plotH} />
          </g>
          <g fill={TEXT} fontSize={tickSize}>
            {chart.yTicks.map((t) => <text key={`y${t}`} x={MARGIN.left - 6} y={chart.y(t)} dy="0.32em" textAnchor="end">{formatTick(t)}</text>)}
            {chart.xTicks.map((t) => <text key={`x${t}`} x={chart.x(t)} y={MARGIN.top + chart.plotH + 4} dy="0.71em" textAnchor="middle">{t}</text>)}
            {xLabel && <text x={MARGIN.left + chart.plotW} y={MARGIN.top + chart.plotH - 4} textAnchor="end">{xLabel}</text>}
          </g>
          {chart.drawn.map(({ line, path, dots }) => (
            <g key={line.name} stroke={line.color} strokeOpacity={line.opacity ?? 1} fill="none">
              <path d={path} strokeWidth={line.width ?? 1.5} strokeLinejoin="round" />
              {dots.map(([cx, cy], i) => <circle key={i} cx={cx} cy={cy} r={line.dots} fill="#fff" strokeWidth={1.5} />)}
            </g>
          ))}
          {readout && <line x1={chart.x(readout.step)} x2={chart.x(readout.step)} y1={MARGIN.top} y2={MARGIN.top + chart.plotH} stroke={AXIS} />}
        </svg>
      )}
      {chart && readout && (
        <div className="chart-readout" style={chart.x(readout.step) > MARGIN.left + chart.plotW / 2
          ? { right: (size?.width ?? 0) - chart.x(readout.step) + 8 } : { left: chart.x(readout.step) + 8 }}>
          <div>step {readout.step}</div>
          {readout.values.map(({ line, value }) => (
            <div key={line.name} style={{ color: line.color }}>{line.name}: {formatValue(value)}</div>
          ))}
        </div>
      )}
    </div>
  );
}

/** The step of the first line's point nearest the hovered one, and each line's value within `near` steps of it. */
function readoutAt(lines: readonly ChartLine[], step: number, near: number) {
  const lead = lines.find((l) => l.points.length > 0);
  if (!lead) return null;
  const at = lead.points[nearestIndex(lead.points, step)].step;
  const values = lines.flatMap((line) => {
    const point = line.points[nearestIndex(line.points, at)];
    const value = point && Math.abs(point.step - at) <= near ? valueOf(point, line.valueKey) : undefined;
    return value === undefined ? [] : [{ line, value }];
  });
  return { step: at, values };
}

export const LineChart = memo(LineChartImpl);
