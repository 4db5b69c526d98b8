// The pure part of model parallelism: splits, parameter round trips, schedules and the bubble.
import { describe, expect, it } from 'vitest';
import {
  assembleParts, balancedSplit, bubbleTheory, evenRanges, extractPart, inFlight, measuredBubble, medianBubble, microbatchSizes, scheduleBubble,
  pipelinePlan, stageSchedule, tensorPlan,
} from './model-parallel';
import { modelLayout } from './model';

describe('splits', () => {
  it('balances contiguous stages by compute', () => {
    // 784-256-256-256-10: the first layer costs about as much as the other three together.
    const model = modelLayout([784, 256, 256, 256, 10]);
    expect(pipelinePlan(model, 2).workers.map((w) => w.parts.map((p) => p.layer))).toEqual([[0], [1, 2, 3]]);
    expect(pipelinePlan(model, 4).workers.map((w) => w.parts.map((p) => p.layer))).toEqual([[0], [1], [2], [3]]);
    expect(balancedSplit([1, 1, 1, 1, 1, 1], 3)).toEqual([0, 2, 4]);
    expect(balancedSplit([10, 1, 1, 1, 10], 3)).toEqual([0, 1, 4]);
    expect(() => balancedSplit([1, 2], 3)).toThrow('cannot split 2 layers into 3 stages');
  });

  it('splits widths evenly, larger parts first', () => {
    expect(evenRanges(10, 4)).toEqual([[0, 3], [3, 6], [6, 8], [8, 10]]);
    expect(microbatchSizes(32, 3)).toEqual([11, 11, 10]);
    expect(microbatchSizes(5, 8)).toEqual([1, 1, 1, 1, 1]);
  });

  it('tensor parallel pairs a column-parallel layer with a row-parallel one and replicates a last odd layer', () => {
    const plan = tensorPlan(modelLayout([784, 64, 32, 10]), 2);
    expect(plan.workers[0].parts.map((p) => [p.role, p.rows, p.cols])).toEqual([
      ['column', [0, 784], [0, 32]], ['row', [0, 32], [0, 32]], ['whole', [0, 32], [0, 10]],
    ]);
    expect(plan.workers[1].layout.sizes).toEqual([784, 32, 32, 10]);
    // Each worker holds half of the split layers' weights.
    const split = (k: number) => plan.workers[k].parts.slice(0, 2).reduce((s, p) => s + (p.rows[1] - p.rows[0]) * (p.cols[1] - p.cols[0]), 0);
    expect(split(0)).toBe((784 * 64 + 64 * 32) / 2);
  });
});

describe('parameters between the whole model and its parts', () => {
  const model = modelLayout([20, 7, 9, 5, 3]);
  // Distinct values in every tensor entry (padding stays zero), so a misplaced slice shows.
  const full = new Float32Array(model.totalFloats);
  for (const layer of model.layers) {
    for (const t of [layer.w, layer.b]) for (let j = 0; j < t.size; j++) full[t.offset + j] = t.offset + j + 1;
  }

  for (const [name, plan] of [
    ['pipeline 3 stages', pipelinePlan(model, 3)],
    ['tensor 2 workers', tensorPlan(model, 2)],
    ['tensor 3 workers (uneven)', tensorPlan(model, 3)],
  ] as const) {
    it(`${name}: assemble(extract(p)) = p`, () => {
      const parts = plan.workers.map((w) => extractPart(model, full, w));
      expect(Array.from(assembleParts(model, plan, parts))).toEqual(Array.from(full));
    });
  }

  it('a column part holds exactly its columns', () => {
    const plan = tensorPlan(model, 2);
    const part = extractPart(model, full, plan.workers[1]);
    const local = plan.workers[1].layout.layers[0];
    // Worker 1 holds columns 4..6 of W1 [20, 7].
    expect(part[local.w.offset + 2 * 3 + 1]).toBe(full[model.layers[0].w.offset + 2 * 7 + 5]);
    expect(part[local.b.offset]).toBe(full[model.layers[0].b.offset + 4]);
  });
});

describe('schedules', () => {
  for (const schedule of ['gpipe', '1f1b'] as const) {
    for (const [stages, m] of [[4, 1], [4, 4], [4, 16], [2, 3], [8, 5]]) {
      it(`${schedule} ${stages} stages × ${m} micro-batches: each micro-batch once forward, then once backward`, () => {
        for (let s = 0; s < stages; s++) {
          const ops = stageSchedule(schedule, stages, s, m);
          expect(ops.filter((o) => o.kind === 'F').map((o) => o.microbatch)).toEqual([...Array(m).keys()]);
          expect(ops.filter((o) => o.kind === 'B').map((o) => o.microbatch)).toEqual([...Array(m).keys()]);
          for (let i = 0; i < m; i++) {
            expect(ops.findIndex((o) => o.kind === 'F' && o.microbatch === i)).toBeLessThan(ops.findIndex((o) => o.kind === 'B' && o.microbatch === i));
          }
          expect(inFlight(ops)).toBe(schedule === 'gpipe' ? m : Math.min(stages - s, m));
        }
      });
    }
  }

  it('1F1B alternates after the warm-up', () => {
    expect(stageSchedule('1f1b', 4, 1, 4).map((o) => `${o.kind}${o.microbatch}`)).toEqual(['F0', 'F1', 'F2', 'B0', 'F3', 'B1', 'B2', 'B3']);
  });

  it('the schedule bubble with equal stage times is the theory, for GPipe and 1F1B alike', () => {
    for (const [p, m] of [[4, 1], [4, 4], [4, 16], [2, 3], [8, 5]]) {
      for (const schedule of ['gpipe', '1f1b'] as const) {
        expect(scheduleBubble(schedule, m, new Array(p).fill(1), new Array(p).fill(2)), `${schedule} p=${p} m=${m}`).toBeCloseTo(bubbleTheory(p, m), 12);
      }
    }
    // A first stage three times as slow as the others sets the pace: more idle time than the theory.
    expect(scheduleBubble('gpipe', 4, [3, 1, 1, 1], [6, 2, 2, 2])).toBeGreaterThan(bubbleTheory(4, 4) + 0.1);
  });

  it('bubble theory and measurement', () => {
    expect(bubbleTheory(4, 1)).toBe(0.75);
    expect(bubbleTheory(4, 16)).toBeCloseTo(3 / 19, 12);
    // Two stages, one micro-batch: each works half the span.
    const span = (kind: 'F' | 'B', start: number, end: number) => ({ kind, microbatch: 0, start, end });
    expect(measuredBubble([[span('F', 0, 1), span('B', 3, 4)], [span('F', 1, 2), span('B', 2, 3)]])).toBe(0.5);
    expect(medianBubble([0.9, 0.1, 0.5])).toBe(0.5);
    expect(medianBubble([0.2, 0.4])).toBeCloseTo(0.3, 12);
    expect(medianBubble([])).toBeNull();
  });
});
