// The drawn-digit preprocessing: bounding box into 20×20, centre of mass at the centre of 28×28, [0, 1].
import { describe, expect, it } from 'vitest';
import { toMnistInput } from './digit-input';

/** A blank W×H canvas with a filled rectangle. */
function canvasWith(W: number, H: number, x0: number, y0: number, w: number, h: number, value = 1): Float32Array {
  const ink = new Float32Array(W * H);
  for (let y = y0; y < y0 + h; y++) for (let x = x0; x < x0 + w; x++) ink[y * W + x] = value;
  return ink;
}

function stats(img: Float32Array) {
  let mass = 0, mx = 0, my = 0, x0 = 28, x1 = -1, y0 = 28, y1 = -1;
  img.forEach((v, i) => {
    if (v <= 0) return;
    const x = i % 28, y = Math.floor(i / 28);
    mass += v; mx += v * (x + 0.5); my += v * (y + 0.5);
    x0 = Math.min(x0, x); x1 = Math.max(x1, x); y0 = Math.min(y0, y); y1 = Math.max(y1, y);
  });
  return { cx: mx / mass, cy: my / mass, width: x1 - x0 + 1, height: y1 - y0 + 1, max: Math.max(...img) };
}

describe('toMnistInput', () => {
  it('gives zeros for a blank canvas', () => {
    expect(toMnistInput(new Float32Array(100 * 100), 100, 100).every((v) => v === 0)).toBe(true);
  });

  it('scales a tall stroke in the corner to 20 pixels high, centred by mass, peak 1', () => {
    const img = toMnistInput(canvasWith(200, 200, 150, 10, 20, 120, 0.8), 200, 200);
    const s = stats(img);
    expect(s.height).toBe(20);
    expect(s.width).toBeGreaterThanOrEqual(3);
    expect(s.width).toBeLessThanOrEqual(4);
    expect(Math.abs(s.cx - 14)).toBeLessThanOrEqual(0.5);
    expect(Math.abs(s.cy - 14)).toBeLessThanOrEqual(0.5);
    expect(s.max).toBe(1);
    expect(Math.min(...img)).toBeGreaterThanOrEqual(0);
  });

  it('keeps the aspect ratio of a wide stroke', () => {
    const s = stats(toMnistInput(canvasWith(100, 100, 0, 40, 100, 10), 100, 100));
    expect(s.width).toBe(20);
    expect(s.height).toBe(2);
  });
});
