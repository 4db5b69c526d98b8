// Unit tests of the run summary and the JSON Lines export.
import { describe, expect, it } from 'vitest';
import type { MetricRecord } from '../core/metrics';
import { summarize, toJsonLines } from './run-summary';

function run(steps: number): MetricRecord[] {
  const records: MetricRecord[] = [];
  for (let step = 1; step <= steps; step++) {
    records.push({ type: 'step', step, epoch: 1, loss: step, accuracy: step % 2 });
    if (step % 100 === 0) records.push({ type: 'timing', step, totalSteps: steps, samplesPerSec: 10, elapsedMs: step });
  }
  records.push({ type: 'eval', epoch: 1, step: steps, testLoss: 0.5, testAccuracy: 0.9 });
  return records;
}

describe('summarize', () => {
  it('finds the first and last step, the latest timing and every eval', () => {
    const s = summarize(run(250));
    expect([s.firstStep?.step, s.lastStep?.step, s.timing?.step, s.evals.length, s.done]).toEqual([1, 250, 200, 1, null]);
  });

  it('writes one JSON object per line', () => {
    const lines = toJsonLines(run(3)).split('\n');
    expect(lines).toHaveLength(5);
    expect(lines.at(-1)).toBe('');
    expect(JSON.parse(lines[3])).toMatchObject({ type: 'eval', testAccuracy: 0.9 });
  });
});
