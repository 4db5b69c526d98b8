// Synthetic metric records for the UI's unit tests: a run of `steps` steps with a timing record every
// 100 steps and one evaluation at the end.
import type { MetricRecord } from '../core/metrics';

export function syntheticRun(steps: number): MetricRecord[] {
  const records: MetricRecord[] = [];
  for (let step = 1; step <= steps; step++) {
    records.push({ type: 'step', step, epoch: 1, loss: step, accuracy: step % 2, lr: 0.001 });
    if (step % 100 === 0) records.push({ type: 'timing', step, totalSteps: steps, samplesPerSec: 10, windowSteps: 32, averageSamplesPerSec: 10, elapsedMs: step, startupMs: 1 });
  }
  records.push({ type: 'eval', epoch: 1, step: steps, testLoss: 0.5, testAccuracy: 0.9 });
  return records;
}
