// Unit tests of the chart series: downsampling bounds and averages, one test point per epoch.
import { describe, expect, it } from 'vitest';
import type { MetricRecord } from '../core/metrics';
import { chartSeries } from './chart-data';

function run(steps: number): MetricRecord[] {
  const records: MetricRecord[] = [];
  for (let step = 1; step <= steps; step++) {
    records.push({ type: 'step', step, epoch: 1, loss: step, accuracy: step % 2 });
    if (step % 100 === 0) records.push({ type: 'timing', step, totalSteps: steps, samplesPerSec: 10, elapsedMs: step });
  }
  records.push({ type: 'eval', epoch: 1, step: steps, testLoss: 0.5, testAccuracy: 0.9 });
  return records;
}

describe('chartSeries', () => {
  it('keeps every step of a short run', () => {
    const series = chartSeries(run(300));
    expect(series.train).toHaveLength(300);
    expect(series.train[41]).toEqual({ step: 42, loss: 42, accuracy: 0 });
    expect(series.totalSteps).toBe(300);
  });

  it('averages a long run into at most maxPoints buckets that end at the last step', () => {
    const series = chartSeries(run(10_000), 500);
    expect(series.train).toHaveLength(500);
    expect(series.train[0]).toEqual({ step: 20, loss: 10.5, accuracy: 0.5 });
    expect(series.train.at(-1)?.step).toBe(10_000);
  });

  it('puts one test point per epoch at its step', () => {
    expect(chartSeries(run(300)).test).toEqual([{ step: 300, epoch: 1, testLoss: 0.5, testAccuracy: 0.9 }]);
  });
});
