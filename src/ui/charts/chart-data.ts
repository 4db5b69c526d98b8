// Chart series from the metric records: per-step training points and throughput averaged into at most
// MAX_POINTS buckets (so a long run still draws quickly), and one point per epoch for the test set.
import type { MetricRecord } from '../../core/metrics';
import { downsample } from './downsample';

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
  const steps = records.flatMap((r) => (r.type === 'step' ? [{ step: r.step, loss: r.loss, accuracy: r.accuracy }] : []));
  const test = records.filter((r) => r.type === 'eval').map(({ step, epoch, testLoss, testAccuracy }) => ({ step, epoch, testLoss, testAccuracy }));
  const timing = records.filter((r) => r.type === 'timing').at(-1);
  return { train: downsample(steps, maxPoints), test, totalSteps: timing?.totalSteps ?? null };
}

export interface LrPoint {
  step: number;
  lr: number;
}

/** The learning rate of every step (warm-up and decay applied), bounded like the training points. */
export function lrSeries(records: readonly MetricRecord[], maxPoints = MAX_POINTS): { points: LrPoint[]; totalSteps: number | null } {
  const points = records.flatMap((r) => (r.type === 'step' ? [{ step: r.step, lr: r.lr }] : []));
  const timing = records.filter((r) => r.type === 'timing').at(-1);
  return { points: downsample(points, maxPoints), totalSteps: timing?.totalSteps ?? null };
}

export interface ThroughputPoint {
  step: number;
  samplesPerSec: number;
}

export interface ThroughputSeries {
  points: ThroughputPoint[];
  totalSteps: number | null;
  /** The steps the latest windowed rate spans. */
  windowSteps: number | null;
}

/** The windowed rate of each timing record, bounded like the training points. */
export function throughputSeries(records: readonly MetricRecord[], maxPoints = MAX_POINTS): ThroughputSeries {
  const timings = records.filter((r) => r.type === 'timing');
  const last = timings.at(-1);
  return {
    points: downsample(timings.map(({ step, samplesPerSec }) => ({ step, samplesPerSec })), maxPoints),
    totalSteps: last?.totalSteps ?? null,
    windowSteps: last?.windowSteps ?? null,
  };
}
