// The gradient check itself: backprop of the float64 reference agrees with finite differences, the
// targets cover every tensor, and a wrong gradient would show.
import { describe, expect, it } from 'vitest';
import { initParams, modelLayout } from '../../core/model';
import { createRng, Stream } from '../../core/rng';
import { gradientCheck, pickTargets, relativeError } from './gradient-check';

describe('gradient check', () => {
  const layout = modelLayout([5, 7, 4, 3]);
  const params = initParams(layout, 11);
  const rng = createRng(5, Stream.data);
  const B = 6;
  const x = Float64Array.from({ length: B * 5 }, () => rng.normal());
  const y = Float64Array.from({ length: B }, (_, i) => i % 3);

  it('deals the parameters over every W and b, largest gradient per segment', () => {
    const grads = new Float64Array(layout.totalFloats);
    grads[layout.layers[0].w.offset + 9] = 5;
    const targets = pickTargets(layout, grads, 8);
    expect(targets).toHaveLength(8);
    for (const l of layout.layers) {
      for (const t of [l.w, l.b]) expect(targets.some((p) => p.offset >= t.offset && p.offset < t.offset + t.size)).toBe(true);
    }
    expect(targets.map((t) => t.label)).toContain('W1[1, 2]');
  });

  it('finds relative errors far below 1e-6 on a random model and batch', async () => {
    const rows = await gradientCheck(layout, params, x, y, B, 8);
    expect(rows).toHaveLength(8);
    for (const r of rows) {
      expect(Math.abs(r.analytic)).toBeGreaterThan(0);
      expect(r.relError).toBeLessThan(1e-6);
    }
  });

  it('measures relative error symmetrically and is zero for two zeros', () => {
    expect(relativeError(0, 0)).toBe(0);
    expect(relativeError(1, 1.1)).toBeCloseTo(0.1 / 1.1, 12);
    expect(relativeError(-2, 2)).toBe(2);
  });
});
