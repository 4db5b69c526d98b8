// The learning-rate schedule: warm-up, constant, linear and cosine decay, worked by hand, and the reference
// optimizer taking each step's rate from it.
import { describe, expect, it } from 'vitest';
import { constantLr, learningRate, runLrSchedule, type LrSchedule } from './optimizers';
import { optimizerStepRef } from './reference';
import { DEFAULT_CONFIG } from './config';

const rates = (s: LrSchedule) => Array.from({ length: s.totalSteps }, (_, i) => learningRate(s, i + 1));

describe('learningRate', () => {
  it('constant: lr at every step, after a linear warm-up from lr/W', () => {
    expect(rates(constantLr(0.5))).toEqual([0.5]);
    const got = rates({ peak: 0.8, warmup: 4, decay: 'constant', totalSteps: 6 });
    [0.2, 0.4, 0.6, 0.8, 0.8, 0.8].forEach((want, i) => expect(got[i]).toBeCloseTo(want, 15));
  });

  it('linear: from lr at the first step after the warm-up down by lr/D a step, reaching 0 just after the last', () => {
    const got = rates({ peak: 1, warmup: 2, decay: 'linear', totalSteps: 6 });
    [0.5, 1, 1, 0.75, 0.5, 0.25].forEach((want, i) => expect(got[i]).toBeCloseTo(want, 15));
  });

  it('cosine: (1 + cos πp)/2 of lr, p the share of the decay steps taken', () => {
    const got = rates({ peak: 2, warmup: 0, decay: 'cosine', totalSteps: 4 });
    [2, 1 + Math.SQRT1_2, 1, 1 - Math.SQRT1_2].forEach((want, i) => expect(got[i]).toBeCloseTo(want, 15));
    expect(got.every((r, i) => i === 0 || r < got[i - 1])).toBe(true);
  });

  it('a warm-up as long as the run never decays', () => {
    expect(rates({ peak: 1, warmup: 4, decay: 'cosine', totalSteps: 4 })).toEqual([0.25, 0.5, 0.75, 1]);
  });

  it('a run\'s schedule comes from its config and step count', () => {
    expect(runLrSchedule({ ...DEFAULT_CONFIG, lr: 0.3, warmup: 5, lrschedule: 'linear' }, 90))
      .toEqual({ peak: 0.3, warmup: 5, decay: 'linear', totalSteps: 90 });
  });
});

describe('optimizerStepRef with a schedule', () => {
  it('sgd takes each step with that step\'s rate', () => {
    const s = { params: Float64Array.of(1), m: new Float64Array(1), v: new Float64Array(1), t: 0 };
    const schedule: LrSchedule = { peak: 0.4, warmup: 2, decay: 'linear', totalSteps: 4 };
    for (let t = 0; t < 4; t++) optimizerStepRef('sgd', s, [1], schedule);
    // 0.2 + 0.4 + 0.4 + 0.2
    expect(s.params[0]).toBeCloseTo(1 - 1.2, 15);
  });
});
