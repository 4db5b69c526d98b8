// Unit tests of the chart series: downsampling bounds and averages, one test point per epoch, the learning rate per step.
import { describe, expect, it } from 'vitest';
import { syntheticRun } from '../test-records';
import { chartSeries, lrSeries } from './chart-data';


describe('chartSeries', () => {
  it('keeps every step of a short run', () => {
    const series = chartSeries(syntheticRun(300));
    expect(series.train).toHaveLength(300);
    expect(series.train[41]).toEqual({ step: 42, loss: 42, accuracy: 0 });
    expect(series.totalSteps).toBe(300);
  });

  it('averages a long run into at most maxPoints buckets that end at the last step', () => {
    const series = chartSeries(syntheticRun(10_000), 500);
    expect(series.train).toHaveLength(500);
    expect(series.train[0]).toEqual({ step: 20, loss: 10.5, accuracy: 0.5 });
    expect(series.train.at(-1)?.step).toBe(10_000);
  });

  it('puts one test point per epoch at its step', () => {
    expect(chartSeries(syntheticRun(300)).test).toEqual([{ step: 300, epoch: 1, testLoss: 0.5, testAccuracy: 0.9 }]);
  });
});

describe('lrSeries', () => {
  it('takes each step\'s learning rate, averaged into buckets like the training points', () => {
    const records = syntheticRun(10_000).map((r) => (r.type === 'step' ? { ...r, lr: r.step / 1000 } : r));
    const series = lrSeries(records, 500);
    expect(series.points).toHaveLength(500);
    expect(series.points[0].step).toBe(20);
    expect(series.points[0].lr).toBeCloseTo(10.5 / 1000, 15);
    expect(series.totalSteps).toBe(10_000);
  });
});
