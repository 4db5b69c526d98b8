// The float64 reference: its ops on hand-worked cases, backprop against finite differences, optimizer steps.
import { describe, expect, it } from 'vitest';
import { modelLayout, type ModelLayout } from './model';
import { ADAM_BETA1, ADAM_BETA2, ADAM_EPSILON, MOMENTUM, adamAlpha, constantLr } from './optimizers';
import {
  biasAddRef, colsumRef, forwardBackwardRef, gatherRef, matmulRef, optimizerStepRef, relativeError, reluBackwardRef, reluRef,
  softmaxCeRef, type OptimizerState,
} from './reference';
import { createRng, randomBelow } from './rng';

describe('elementwise and matmul ops', () => {
  // A [2,3], B [3,2]
  const A = [1, 2, 3, 4, 5, 6];
  const B = [7, 8, 9, 10, 11, 12];

  it('matmulRef in all three forms', () => {
    expect(Array.from(matmulRef(A, B, 2, 2, 3))).toEqual([58, 64, 139, 154]);
    // Aᵀ·A: A is stored [K=2, M=3].
    expect(Array.from(matmulRef(A, A, 3, 3, 2, true, false))).toEqual([17, 22, 27, 22, 29, 36, 27, 36, 45]);
    // A·Aᵀ: B is stored [N=2, K=3].
    expect(Array.from(matmulRef(A, A, 2, 2, 3, false, true))).toEqual([14, 32, 32, 77]);
  });

  it('biasAddRef, colsumRef, reluRef, reluBackwardRef', () => {
    expect(Array.from(biasAddRef(A, [10, 20, 30], 2, 3))).toEqual([11, 22, 33, 14, 25, 36]);
    expect(Array.from(colsumRef(A, 2, 3))).toEqual([5, 7, 9]);
    expect(Array.from(reluRef([-1, 0, 2, -0.5]))).toEqual([0, 0, 2, 0]);
    expect(Array.from(reluBackwardRef([1, 2, 3, 4], [0, 0.5, 0, 7]))).toEqual([0, 2, 0, 4]);
  });

  it('gatherRef picks rows and labels', () => {
    const g = gatherRef(A, [5, 6], 3, [1, 0, 1]);
    expect(Array.from(g.x)).toEqual([4, 5, 6, 1, 2, 3, 4, 5, 6]);
    expect(Array.from(g.y)).toEqual([6, 5, 6]);
  });
});

describe('softmaxCeRef', () => {
  it('matches −log softmax computed directly, and its gradient is (p − onehot)·scale', () => {
    const logits = [0.5, -1, 2, 0.25, 0.3, 0.1, -2, 1];
    const labels = [2, 0];
    const r = softmaxCeRef(logits, labels, 2, 4, 0.5);
    let loss = 0;
    for (let b = 0; b < 2; b++) {
      const row = logits.slice(4 * b, 4 * b + 4);
      const denom = row.reduce((s, z) => s + Math.exp(z), 0);
      loss -= Math.log(Math.exp(row[labels[b]]) / denom);
      for (let c = 0; c < 4; c++) {
        expect(r.dlogits[4 * b + c]).toBeCloseTo((Math.exp(row[c]) / denom - (c === labels[b] ? 1 : 0)) * 0.5, 14);
      }
    }
    expect(r.lossSum).toBeCloseTo(loss, 13);
    expect(r.correct).toBe(1);
  });

  it('is finite for huge logits and gives the exact limits', () => {
    const logits = [1e4, -1e4, 0, 1e4, 1e4, 1e4, -1e4, -1e4, 0];
    for (const [label, lossRow0] of [[0, 0], [1, 2e4], [2, 1e4]] as const) {
      const r = softmaxCeRef(logits, [label, label, label], 3, 3, 1);
      expect(Number.isFinite(r.lossSum)).toBe(true);
      expect(r.dlogits.every(Number.isFinite)).toBe(true);
      const row0 = softmaxCeRef(logits.slice(0, 3), [label], 1, 3, 1).lossSum;
      expect(row0).toBeCloseTo(lossRow0, 9);
      // Equal logits: log 3, whatever the label.
      expect(softmaxCeRef(logits.slice(3, 6), [label], 1, 3, 1).lossSum).toBeCloseTo(Math.log(3), 12);
    }
  });

  it('dlogits rows sum to 0', () => {
    const rng = createRng(3, 50);
    const B = 16;
    const C = 10;
    const logits = Array.from({ length: B * C }, () => rng.normal() * 20);
    const labels = Array.from({ length: B }, () => randomBelow(rng, C));
    const r = softmaxCeRef(logits, labels, B, C, 1 / B);
    for (let b = 0; b < B; b++) {
      const row = r.dlogits.subarray(b * C, (b + 1) * C);
      expect(Math.abs(row.reduce((s, v) => s + v, 0))).toBeLessThan(1e-15);
      expect(row[labels[b]]).toBeLessThanOrEqual(0);
    }
  });

  it('counts a row correct when the first arg-max is the label', () => {
    expect(softmaxCeRef([1, 1, 0], [0], 1, 3, 1).correct).toBe(1);
    expect(softmaxCeRef([1, 1, 0], [1], 1, 3, 1).correct).toBe(0);
    expect(softmaxCeRef([0, 3, 2, 5, 1, 0], [1, 0], 2, 3, 1).correct).toBe(2);
  });
});

/** The mean cross-entropy of an MLP, written independently of the reference: plain loops, float64. */
function meanLoss(layout: ModelLayout, p: ArrayLike<number>, x: number[], y: number[], B: number): number {
  let total = 0;
  for (let b = 0; b < B; b++) {
    let a = x.slice(b * layout.sizes[0], (b + 1) * layout.sizes[0]);
    for (const l of layout.layers) {
      const z = new Array<number>(l.outputs).fill(0);
      for (let o = 0; o < l.outputs; o++) {
        z[o] = p[l.b.offset + o];
        for (let i = 0; i < l.inputs; i++) z[o] += a[i] * p[l.w.offset + i * l.outputs + o];
      }
      a = l.relu ? z.map((v) => Math.max(0, v)) : z;
    }
    const max = Math.max(...a);
    total += Math.log(a.reduce((s, v) => s + Math.exp(v - max), 0)) + max - a[y[b]];
  }
  return total / B;
}

describe('forwardBackwardRef', () => {
  const cases: [number[], number, number][] = [
    [[5, 6, 4, 3], 4, 1],
    [[5, 6, 4, 3], 7, 2],
    [[3, 8, 7, 4], 5, 3],
    [[4, 3], 3, 4],
  ];
  for (const [sizes, B, seed] of cases) {
    it(`gradients of ${sizes.join('-')}, batch ${B}, agree with central finite differences`, () => {
      const layout = modelLayout(sizes);
      const rng = createRng(seed, 77);
      const params = new Float64Array(layout.totalFloats);
      for (const l of layout.layers) {
        for (const t of [l.w, l.b]) for (let i = 0; i < t.size; i++) params[t.offset + i] = rng.normal() * 0.7;
      }
      const x = Array.from({ length: B * sizes[0] }, () => rng.normal());
      const y = Array.from({ length: B }, () => randomBelow(rng, sizes[sizes.length - 1]));

      const fb = forwardBackwardRef(layout, params, x, y, B, 1 / B);
      expect(fb.lossSum / B).toBeCloseTo(meanLoss(layout, params, x, y, B), 12);
      expect(fb.grads).toHaveLength(layout.totalFloats);

      const h = 1e-6;
      const fd = new Float64Array(layout.totalFloats);
      const p = Float64Array.from(params);
      for (const l of layout.layers) {
        for (const t of [l.w, l.b]) {
          for (let i = t.offset; i < t.offset + t.size; i++) {
            p[i] = params[i] + h;
            const up = meanLoss(layout, p, x, y, B);
            p[i] = params[i] - h;
            const down = meanLoss(layout, p, x, y, B);
            p[i] = params[i];
            fd[i] = (up - down) / (2 * h);
          }
        }
      }
      let diff = 0;
      let norm = 0;
      for (let i = 0; i < fd.length; i++) {
        diff += (fb.grads[i] - fd[i]) ** 2;
        norm += fd[i] ** 2;
      }
      expect(norm).toBeGreaterThan(0);
      expect(Math.sqrt(diff / norm)).toBeLessThan(1e-6);

      // Padding gradients are exactly zero.
      const used = new Uint8Array(layout.totalFloats);
      for (const l of layout.layers) for (const t of [l.w, l.b]) used.fill(1, t.offset, t.offset + t.size);
      for (let i = 0; i < used.length; i++) if (!used[i]) expect(fb.grads[i]).toBe(0);

      // gradScale scales the gradient linearly and leaves the loss alone.
      const sum = forwardBackwardRef(layout, params, x, y, B, 1);
      expect(sum.lossSum).toBe(fb.lossSum);
      for (let i = 0; i < fd.length; i++) expect(sum.grads[i]).toBeCloseTo(fb.grads[i] * B, 12);
    });
  }

  it('exercises the ReLU mask: some hidden units are off, and their incoming gradients are zero', () => {
    const layout = modelLayout([2, 6, 2]);
    const params = new Float64Array(layout.totalFloats);
    const [l1] = layout.layers;
    // Unit o of layer 1 computes x0·w + bias with w = 1 and bias = o − 3: units 0..2 are off for x = (0.5, 0).
    for (let o = 0; o < 6; o++) {
      params[l1.w.offset + o] = 1;
      params[l1.b.offset + o] = o - 3;
    }
    for (let i = 0; i < layout.layers[1].w.size; i++) params[layout.layers[1].w.offset + i] = i % 2 ? 0.3 : -0.2;
    const fb = forwardBackwardRef(layout, params, [0.5, 0], [1], 1, 1);
    for (let o = 0; o < 6; o++) {
      const gb = fb.grads[l1.b.offset + o];
      if (o < 3) expect(gb).toBe(0);
      else expect(Math.abs(gb)).toBeGreaterThan(0);
    }
  });
});

describe('optimizerStepRef', () => {
  const fresh = (w: number[]): OptimizerState => ({
    params: Float64Array.from(w), m: new Float64Array(w.length), v: new Float64Array(w.length), t: 0,
  });

  it('uses the Keras defaults', () => {
    expect([MOMENTUM, ADAM_BETA1, ADAM_BETA2, ADAM_EPSILON]).toEqual([0.9, 0.9, 0.999, 1e-7]);
    expect(adamAlpha(1, 1)).toBeCloseTo(Math.sqrt(0.001) / 0.1, 15);
    expect(adamAlpha(0.01, 2)).toBeCloseTo((0.01 * Math.sqrt(1 - 0.999 ** 2)) / (1 - 0.81), 15);
  });

  it('sgd: w −= lr·g', () => {
    const s = fresh([1, -2]);
    optimizerStepRef('sgd', s, [0.5, -0.25], constantLr(0.1));
    expect(Array.from(s.params)).toEqual([0.95, -1.975]);
    optimizerStepRef('sgd', s, [1, 0], constantLr(0.1));
    expect(s.params[0]).toBeCloseTo(0.85, 15);
    expect(s.params[1]).toBe(-1.975);
    expect(s.t).toBe(2);
  });

  it('momentum: m = 0.9·m − lr·g; w += m', () => {
    const s = fresh([1, -2]);
    optimizerStepRef('momentum', s, [0.5, -0.25], constantLr(0.1));
    expect(Array.from(s.m)).toEqual([-0.05, 0.025]);
    expect(Array.from(s.params)).toEqual([0.95, -1.975]);
    optimizerStepRef('momentum', s, [1, 0], constantLr(0.1));
    expect(s.m[0]).toBeCloseTo(-0.145, 15);
    expect(s.m[1]).toBeCloseTo(0.0225, 15);
    expect(s.params[0]).toBeCloseTo(0.805, 15);
    expect(s.params[1]).toBeCloseTo(-1.9525, 15);
  });

  it('adam: two bias-corrected Keras steps, worked by hand', () => {
    const s = fresh([1, 3]);
    // Step 1, g = 0.5: m = 0.05, v = 0.00025, α = 0.001·√0.001/0.1, Δw = α·m/(√v + 1e-7) = 0.000999993675…
    optimizerStepRef('adam', s, [0.5, 0], constantLr(0.001));
    expect(s.t).toBe(1);
    expect(s.m[0]).toBeCloseTo(0.05, 16);
    expect(s.v[0]).toBeCloseTo(0.00025, 18);
    expect(s.params[0]).toBeCloseTo(0.9990000063245154, 14);
    // A zero gradient leaves m = 0, so the weight does not move.
    expect(s.params[1]).toBe(3);
    // Step 2, g = −0.25: m = 0.02, v = 0.00031225, α = 0.001·√(1 − 0.999²)/(1 − 0.9²).
    optimizerStepRef('adam', s, [-0.25, 0], constantLr(0.001));
    expect(s.t).toBe(2);
    expect(s.m[0]).toBeCloseTo(0.02, 16);
    expect(s.v[0]).toBeCloseTo(0.00031225, 18);
    expect(s.params[0]).toBeCloseTo(0.9987336707920792, 14);
    expect(s.params[1]).toBe(3);
  });

  it('adam: the first step moves each weight by about lr against the sign of its gradient', () => {
    const g = [3, -0.01, 1e-3, -50];
    const s = fresh([0, 0, 0, 0]);
    optimizerStepRef('adam', s, g, constantLr(0.01));
    for (let i = 0; i < g.length; i++) {
      const expected = (-adamAlpha(0.01, 1) * 0.1 * g[i]) / (Math.sqrt(0.001 * g[i] * g[i]) + 1e-7);
      expect(s.params[i]).toBeCloseTo(expected, 15);
      // |Δw| = lr / (1 + ε/(√(1−β2)·|g|)): just under lr, against the gradient.
      expect(Math.sign(s.params[i])).toBe(-Math.sign(g[i]));
      expect(Math.abs(s.params[i])).toBeLessThan(0.01);
      expect(Math.abs(s.params[i])).toBeGreaterThan(0.01 * 0.99);
    }
  });
});

describe('relativeError', () => {
  it('scales by the reference, and measures against an all-zero reference absolutely (never 0/0)', () => {
    expect(relativeError([2, 2], [1, 1])).toBeCloseTo(1, 12);
    expect(relativeError([0, 0], [0, 0])).toBe(0);
    expect(relativeError([0, 3e-4], [0, 0])).toBeCloseTo(3e-4, 12);
    expect(relativeError([NaN], [0])).toBeNaN();
  });
});
