// Turns a drawn digit into an MNIST-like input: the ink's bounding box scaled into a 20×20 box, placed
// in 28×28 with its centre of mass at the centre (as LeCun's preprocessing did), scaled to [0, 1].
export const DIGIT_SIDE = 28;
const BOX = 20;
const INK = 0.05;

/** `ink` [height, width] in [0, 1] (1 = full stroke); returns [784] row-major, all zero for a blank canvas. */
export function toMnistInput(ink: ArrayLike<number>, width: number, height: number): Float32Array {
  const out = new Float32Array(DIGIT_SIDE * DIGIT_SIDE);
  let x0 = width, y0 = height, x1 = -1, y1 = -1;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      if (ink[y * width + x] > INK) {
        x0 = Math.min(x0, x); x1 = Math.max(x1, x);
        y0 = Math.min(y0, y); y1 = Math.max(y1, y);
      }
    }
  }
  if (x1 < 0) return out;
  // Area-average the bounding box into a box whose longer side is 20 pixels.
  const scale = BOX / Math.max(x1 - x0 + 1, y1 - y0 + 1);
  const w = Math.max(1, Math.round((x1 - x0 + 1) * scale));
  const h = Math.max(1, Math.round((y1 - y0 + 1) * scale));
  const sum = new Float64Array(w * h);
  const count = new Float64Array(w * h);
  for (let y = y0; y <= y1; y++) {
    const ty = Math.min(h - 1, Math.floor((y - y0) * scale));
    for (let x = x0; x <= x1; x++) {
      const t = ty * w + Math.min(w - 1, Math.floor((x - x0) * scale));
      sum[t] += ink[y * width + x];
      count[t] += 1;
    }
  }
  let mass = 0, mx = 0, my = 0, peak = 0;
  for (let i = 0; i < w * h; i++) {
    const v = count[i] > 0 ? sum[i] / count[i] : 0;
    sum[i] = v;
    mass += v;
    mx += v * ((i % w) + 0.5);
    my += v * (Math.floor(i / w) + 0.5);
    peak = Math.max(peak, v);
  }
  const dx = Math.round(DIGIT_SIDE / 2 - mx / mass);
  const dy = Math.round(DIGIT_SIDE / 2 - my / mass);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const tx = x + dx, ty = y + dy;
      if (tx >= 0 && tx < DIGIT_SIDE && ty >= 0 && ty < DIGIT_SIDE) out[ty * DIGIT_SIDE + tx] = sum[y * w + x] / peak;
    }
  }
  return out;
}
