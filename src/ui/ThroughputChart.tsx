// Training throughput over the run: samples per second from each timing record (recharts).
import { useMemo } from 'react';
import { CartesianGrid, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { useChartRecords } from './chart-records';
import { formatCount, formatTick } from './format';

const COLOR = '#0f766e';

export function ThroughputChart({ slot, placeholder }: { slot: number; placeholder: string }) {
  const records = useChartRecords(slot);
  const points = useMemo(
    () => records.flatMap((r) => (r.type === 'timing' ? [{ step: r.step, samplesPerSec: r.samplesPerSec, totalSteps: r.totalSteps }] : [])),
    [records],
  );
  return (
    <figure className="panel chart" aria-label="Throughput">
      <figcaption>Throughput</figcaption>
      <div className="chart-body" data-testid="chart-throughput" data-points={points.length}>
        {points.length === 0 ? (
          <p className="chart-empty">{placeholder}</p>
        ) : (
          <ResponsiveContainer width="100%" height="100%">
            <LineChart data={points} margin={{ top: 8, right: 16, bottom: 4, left: 0 }}>
              <CartesianGrid stroke="#e5e7eb" strokeDasharray="3 3" />
              <XAxis interval={0} type="number" dataKey="step" domain={[0, points.at(-1)?.totalSteps ?? 'dataMax']} allowDecimals={false}
                tick={{ fontSize: 12 }} label={{ value: 'step', position: 'insideBottomRight', offset: -2, fontSize: 12 }} />
              <YAxis interval={0} domain={[0, 'auto']} tickFormatter={(v: number) => formatTick(v)} width={48} tick={{ fontSize: 12 }} />
              <Tooltip formatter={(v) => (typeof v === 'number' ? `${formatCount(v)} samples/s` : String(v))} labelFormatter={(step) => `step ${step}`} />
              <Line dataKey="samplesPerSec" name="samples/s" stroke={COLOR} strokeWidth={2} dot={points.length <= 40 ? { r: 2 } : false} isAnimationActive={false} />
            </LineChart>
          </ResponsiveContainer>
        )}
      </div>
    </figure>
  );
}
