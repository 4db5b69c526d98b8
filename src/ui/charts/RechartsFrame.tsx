// The recharts part of LiveChart, in its own chunk so the page starts without it: one chart of a fixed
// size from one ResizeObserver, no animation, dots only on sparse series, no hover dot, a tooltip only
// while the pointer is over the chart, round ticks of our own (the same arrays while the axes hold).
import { useMemo, useState, type ReactNode } from 'react';
import { CartesianGrid, Line, LineChart, Tooltip, XAxis, YAxis, type BaseTickContentProps } from 'recharts';
import { useElementSize } from '../element-size';
import { niceMax, niceTicks } from './chart-scale';
import type { LiveChartProps, LiveLine } from './LiveChart';

const MARGIN = { top: 8, right: 16, bottom: 0, left: 0 };
const Y_AXIS_WIDTH = 48;
const X_AXIS_HEIGHT = 22;
const GRID = '#e5e7eb';
const TEXT = '#4b5563';
const NOTE = { fill: 'var(--muted)', fontSize: 13 };

/**
 * Tick labels as plain <text>: recharts' own <Text> measures each label in the DOM (a forced layout)
 * to wrap it, and these never wrap.
 */
function tickText(fontSize: number) {
  return function TickText({ x, y, textAnchor, verticalAnchor, index, payload, tickFormatter }: BaseTickContentProps): ReactNode {
    const label = tickFormatter ? tickFormatter(payload.value, index) : String(payload.value);
    return (
      <text x={x} y={y} textAnchor={textAnchor} dy={verticalAnchor === 'middle' ? '0.32em' : '0.71em'} fill={TEXT} fontSize={fontSize}>
        {label}
      </text>
    );
  };
}

const stepLabel = (step: unknown) => `step ${String(step)}`;

type FrameProps = LiveChartProps & { note: string | null };

export default function RechartsFrame({ lines, xMax, yDomain, formatTick, formatValue, tickSize = 12, xLabel, note }: FrameProps) {
  const [ref, size] = useElementSize<HTMLDivElement>();
  // recharts' tooltip reads its box (a forced layout) whenever the data changes: mounted only while it can show.
  const [hovered, setHovered] = useState(false);
  const tick = useMemo(() => tickText(tickSize), [tickSize]);
  const [xEnd, yTop] = useMemo(() => axisEnds(lines, xMax, yDomain), [lines, xMax, yDomain]);
  const x = useMemo(() => ({ domain: [0, xEnd], ticks: niceTicks(xEnd, 5, true) }), [xEnd]);
  const y0 = yDomain[0];
  const y = useMemo(() => ({ domain: [y0, yTop], ticks: niceTicks(yTop - y0).map((t) => t + y0) }), [y0, yTop]);
  const tooltipValue = useMemo(() => (v: unknown) => (typeof v === 'number' ? formatValue(v) : String(v)), [formatValue]);
  return (
    <div ref={ref} className="line-chart" onPointerEnter={() => setHovered(true)} onPointerLeave={() => setHovered(false)}>
      {size && size.width > Y_AXIS_WIDTH + MARGIN.right && (
        <LineChart width={size.width} height={size.height} margin={MARGIN}>
          <CartesianGrid stroke={GRID} strokeDasharray="3 3" />
          <XAxis type="number" dataKey="step" domain={x.domain} ticks={x.ticks} interval={0} height={X_AXIS_HEIGHT} tick={!note && tick} />
          <YAxis type="number" domain={y.domain} ticks={y.ticks} interval={0} width={Y_AXIS_WIDTH} tick={!note && tick} tickFormatter={formatTick} />
          {hovered && !note && <Tooltip formatter={tooltipValue} labelFormatter={stepLabel} isAnimationActive={false} />}
          {lines.map((l) => (
            <Line key={l.name} data={l.data} dataKey={l.dataKey} name={l.name} stroke={l.color} strokeWidth={l.width ?? 1.5}
              strokeOpacity={l.opacity} dot={l.dots ? { r: l.dots } : false} activeDot={false} isAnimationActive={false} />
          ))}
          {note && (
            <text x={(Y_AXIS_WIDTH + size.width - MARGIN.right) / 2} y={(MARGIN.top + size.height - X_AXIS_HEIGHT) / 2} dy="0.32em"
              textAnchor="middle" style={NOTE}>
              {note}
            </text>
          )}
          {xLabel && !note && (
            <text x={size.width - MARGIN.right} y={size.height - MARGIN.bottom - X_AXIS_HEIGHT - 4} textAnchor="end" fill={TEXT} fontSize={tickSize}>
              {xLabel}
            </text>
          )}
        </LineChart>
      )}
    </div>
  );
}

/** The x axis's end (the run's last step, else the last point's) and the y axis's top. */
function axisEnds(lines: readonly LiveLine[], xMax: number | null, yDomain: LiveChartProps['yDomain']): [number, number] {
  const xEnd = Math.max(1, xMax ?? Math.max(0, ...lines.map((l) => l.data.at(-1)?.step ?? 0)));
  if (yDomain[1] !== 'auto') return [xEnd, yDomain[1]];
  let max = 0;
  for (const l of lines) {
    for (const p of l.data) {
      const v = (p as Record<string, unknown>)[l.dataKey];
      if (typeof v === 'number' && v > max) max = v;
    }
  }
  return [xEnd, niceMax(max)];
}
