// The model-parallel views' data: the split with each worker's share, recent timelines, the median bubble.
import { describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG } from '../../core/config';
import type { MetricRecord, StagesRecord } from '../../core/metrics';
import { recentStages, roleText, splitView } from './model-parallel-data';

const stages = (step: number, bubble: number): StagesRecord => ({
  type: 'stages', step, mode: 'pipeline', spans: [[], []], bubble, theory: 0.5, scheduled: 0.5, bytesSent: [0, 0], activationBytes: [0, 0],
});

describe('model-parallel views', () => {
  it('pipeline: each stage holds its layers; the shares add up to the whole model', () => {
    const view = splitView({ ...DEFAULT_CONFIG, layers: [256, 256, 256], mode: 'pipeline', stages: 4 });
    if ('error' in view) throw new Error(view.error);
    expect(view.plan.workers.map((w) => w.parts.map((p) => p.layer))).toEqual([[0], [1], [2], [3]]);
    expect(view.held[0].params).toBe(784 * 256 + 256);
    expect(view.held.reduce((s, h) => s + h.share, 0)).toBeCloseTo(1, 12);
  });

  it('tensor: each worker holds a quarter of the split layers', () => {
    const view = splitView({ ...DEFAULT_CONFIG, layers: [256], mode: 'tensor', stages: 4 });
    if ('error' in view) throw new Error(view.error);
    // W1 columns and b1 entries split 4 ways, W2 rows split, b2 (10) replicated on every worker.
    expect(view.held[0].params).toBe(784 * 64 + 64 + 64 * 10 + 10);
  });

  it('says when a layer is split unevenly', () => {
    expect(roleText('column', [64, 64])).toBe('column-parallel: output units split across 2 workers (64 each)');
    expect(roleText('row', [6, 5, 5])).toBe('row-parallel: inputs split across 3 workers (unevenly, 6 / 5 / 5), partial outputs summed');
  });

  it('a split the planner refuses is reported, not thrown', () => {
    expect(splitView({ ...DEFAULT_CONFIG, layers: [], mode: 'pipeline', stages: 2 })).toEqual({ error: 'cannot split 1 layers into 2 stages' });
  });

  it('recent timelines', () => {
    const records: MetricRecord[] = [stages(1, 0.9), { type: 'timing', step: 1, totalSteps: 3, samplesPerSec: 1, windowSteps: 1, averageSamplesPerSec: 1, elapsedMs: 1, startupMs: 1 }, stages(2, 0.1), stages(3, 0.5)];
    expect(recentStages(records, 2).map((r) => r.step)).toEqual([2, 3]);
  });
});
