// Chart series from the metric records: per-step training points averaged into at most
// MAX_POINTS buckets (so a long run still draws quickly), and one point per epoch for the test set.
import type { MetricRecord } from '../core/metrics';

const MAX_POINTS = 500;

export interface TrainPoint {
  step: number;
  loss: number;
  accuracy: number;
}

export interface TestPoint {
  step: number;
  epoch: number;
  testLoss: number;
  testAccuracy: number;
}

export interface ChartSeries {
  train: TrainPoint[];
  test: TestPoint[];
  /** The run's length, so the x axis spans the whole run from its start. */
  totalSteps: number | null;
}

export function chartSeries(records: readonly MetricRecord[], maxPoints = MAX_POINTS): ChartSeries {
  const steps = records.filter((r) => r.type === 'step');
  const test = records.filter((r) => r.type === 'eval').map(({ step, epoch, testLoss, testAccuracy }) => ({ step, epoch, testLoss, testAccuracy }));
  const bucket = Math.max(1, Math.ceil(steps.length / maxPoints));
  const train: TrainPoint[] = [];
  for (let start = 0; start < steps.length; start += bucket) {
    const group = steps.slice(start, start + bucket);
    const mean = (pick: (r: (typeof group)[number]) => number) => group.reduce((sum, r) => sum + pick(r), 0) / group.length;
    train.push({ step: group[group.length - 1].step, loss: mean((r) => r.loss), accuracy: mean((r) => r.accuracy) });
  }
  const timing = records.filter((r) => r.type === 'timing').at(-1);
  return { train, test, totalSteps: timing?.totalSteps ?? null };
}
