// Unit tests of the run summary and the JSON Lines export.
import { describe, expect, it } from 'vitest';
import { syntheticRun } from '../test-records';
import { summarize, toJsonLines } from './run-summary';


describe('summarize', () => {
  it('finds the first and last step, the latest timing and every eval', () => {
    const s = summarize(syntheticRun(250));
    expect([s.firstStep?.step, s.lastStep?.step, s.timing?.step, s.evals.length, s.done]).toEqual([1, 250, 200, 1, null]);
  });

  it('writes one JSON object per line', () => {
    const lines = toJsonLines(syntheticRun(3)).split('\n');
    expect(lines).toHaveLength(5);
    expect(lines.at(-1)).toBe('');
    expect(JSON.parse(lines[3])).toMatchObject({ type: 'eval', testAccuracy: 0.9 });
  });
});
