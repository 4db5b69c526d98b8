// Arg-max and the confusion matrix of the MNIST views, and the 2-D boundary grid and colours.
import { describe, expect, it } from 'vitest';
import { GRID, gridInputs, viewAround } from './boundary-grid';
import { blendClasses, divergingColor } from './model-colors';
import { argmaxRow, confusionMatrix } from './prediction-stats';

describe('prediction stats', () => {
  it('takes the first arg-max on ties and counts true × predicted', () => {
    const probs = [0.5, 0.5, 0, /**/ 0.1, 0.2, 0.7, /**/ 0.2, 0.6, 0.2, /**/ 0.1, 0.1, 0.8];
    expect(argmaxRow(probs, 0, 3)).toBe(0);
    const m = confusionMatrix(probs, [0, 2, 0, 1], 4, 3);
    expect(Array.from(m)).toEqual([1, 1, 0, /**/ 0, 0, 1, /**/ 0, 0, 1]);
  });
});

describe('boundary grid and colours', () => {
  it('frames all points in a square and puts row 0 at the top', () => {
    const view = viewAround([-1, 0, 1, 0.5], 2);
    expect(view.size).toBeCloseTo(2.4);
    const x = gridInputs(view);
    expect(x).toHaveLength(GRID * GRID * 2);
    expect(x[0]).toBeLessThan(-1);
    expect(x[1]).toBeGreaterThan(x[x.length - 1]);
  });

  it('maps weights white at zero, blue below, red above; blends classes by probability', () => {
    expect(divergingColor(0, 1)).toEqual([255, 255, 255]);
    const [r, , b] = divergingColor(-1, 1);
    expect(b).toBeGreaterThan(r);
    const [r2, , b2] = divergingColor(3, 1);
    expect(r2).toBeGreaterThan(b2);
    expect(blendClasses([1, 0], 0, [[0, 0, 0], [255, 255, 255]], 1)).toEqual([0, 0, 0]);
    expect(blendClasses([0.5, 0.5], 0, [[0, 0, 0], [200, 200, 200]], 0.5)).toEqual([178, 178, 178]);
  });
});
