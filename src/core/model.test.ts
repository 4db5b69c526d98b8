// Model layout (aligned offsets, sizes, parameter count), seeded initialisation, packing, and the weights checksum.
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { sha256Hex, weightsSha256 } from './checksum';
import { DEFAULT_CONFIG } from './config';
import { initParams, layerSizes, modelLayout, packParams, TENSOR_ALIGN_FLOATS, type ModelLayout } from './model';

/** Float indices that belong to no tensor. */
function paddingIndices(layout: ModelLayout): number[] {
  const used = new Uint8Array(layout.totalFloats);
  for (const l of layout.layers) for (const t of [l.w, l.b]) used.fill(1, t.offset, t.offset + t.size);
  return [...used.keys()].filter((i) => !used[i]);
}

describe('modelLayout', () => {
  it('lays out 784-64-10 as W1, b1, W2, b2 on 64-float boundaries with 50890 parameters', () => {
    const layout = modelLayout(layerSizes(DEFAULT_CONFIG, 784, 10));
    expect(layout.sizes).toEqual([784, 64, 10]);
    expect(layout.parameterCount).toBe(50890);
    const slots = layout.layers.flatMap((l) => [l.w, l.b]).map((t) => [t.name, t.offset, t.size, t.shape]);
    expect(slots).toEqual([
      ['W1', 0, 50176, [784, 64]],
      ['b1', 50176, 64, [64]],
      ['W2', 50240, 640, [64, 10]],
      ['b2', 50880, 10, [10]],
    ]);
    expect(layout.totalFloats).toBe(50944);
    expect(layout.layers.map((l) => [l.inputs, l.outputs, l.relu])).toEqual([[784, 64, true], [64, 10, false]]);
  });

  for (const sizes of [[2, 2], [2, 16, 16, 3], [784, 10], [5, 7, 3, 1, 4], [784, 256, 128, 10], [3, 65, 63, 2]]) {
    it(`sizes ${sizes.join('-')}: aligned, non-overlapping, in order, with Σ in·out+out parameters`, () => {
      const layout = modelLayout(sizes);
      const tensors = layout.layers.flatMap((l) => [l.w, l.b]);
      expect(tensors.map((t) => t.name)).toEqual(layout.layers.flatMap((_, i) => [`W${i + 1}`, `b${i + 1}`]));
      let end = 0;
      for (const t of tensors) {
        expect(t.offset % TENSOR_ALIGN_FLOATS).toBe(0);
        expect(t.offset).toBeGreaterThanOrEqual(end);
        expect(t.offset - end).toBeLessThan(TENSOR_ALIGN_FLOATS);
        expect(t.size).toBe(t.shape.reduce((a, b) => a * b, 1));
        end = t.offset + t.size;
      }
      expect(layout.totalFloats).toBe(Math.ceil(end / TENSOR_ALIGN_FLOATS) * TENSOR_ALIGN_FLOATS);
      let expected = 0;
      for (let l = 0; l + 1 < sizes.length; l++) {
        expect(layout.layers[l].w.shape).toEqual([sizes[l], sizes[l + 1]]);
        expect(layout.layers[l].b.shape).toEqual([sizes[l + 1]]);
        expect(layout.layers[l].relu).toBe(l + 2 < sizes.length);
        expected += sizes[l] * sizes[l + 1] + sizes[l + 1];
      }
      expect(layout.parameterCount).toBe(expected);
    });
  }

  it('layerSizes puts the data set sizes around the hidden layers', () => {
    expect(layerSizes({ layers: [256, 128] }, 784, 10)).toEqual([784, 256, 128, 10]);
    expect(layerSizes({ layers: [] }, 2, 3)).toEqual([2, 3]);
  });
});

describe('initParams', () => {
  const layout = modelLayout([784, 64, 32, 10]);
  const params = initParams(layout, 7);

  it('is deterministic per seed and differs across seeds', () => {
    expect(params).toBeInstanceOf(Float32Array);
    expect(params).toHaveLength(layout.totalFloats);
    const again = initParams(layout, 7);
    expect(params.every((v, i) => Object.is(v, again[i]))).toBe(true);
    const other = initParams(layout, 8);
    expect(params.filter((v, i) => v !== 0 && v === other[i]).length).toBeLessThan(10);
  });

  it('zeroes biases and padding', () => {
    for (const l of layout.layers) expect(params.subarray(l.b.offset, l.b.offset + l.b.size).every((v) => v === 0)).toBe(true);
    const pad = paddingIndices(layout);
    expect(pad.length).toBeGreaterThan(0);
    for (const i of pad) expect(params[i]).toBe(0);
  });

  it('draws weights uniformly within He limits (ReLU layers) and the Glorot limit (output layer)', () => {
    for (const l of layout.layers) {
      const limit = l.relu ? Math.sqrt(6 / l.inputs) : Math.sqrt(6 / (l.inputs + l.outputs));
      const w = params.subarray(l.w.offset, l.w.offset + l.w.size);
      let maxAbs = 0;
      let sum = 0;
      let sumSq = 0;
      for (const v of w) {
        maxAbs = Math.max(maxAbs, Math.abs(v));
        sum += v;
        sumSq += v * v;
      }
      // Uniform on [−limit, limit]: reaches near the limit, mean 0, variance limit²/3 (4-sigma bounds).
      const n = w.length;
      expect(maxAbs).toBeLessThanOrEqual(limit);
      expect(maxAbs).toBeGreaterThan(0.95 * limit);
      expect(Math.abs(sum / n)).toBeLessThan((4 * limit) / Math.sqrt(3 * n));
      expect(Math.abs(sumSq / n / ((limit * limit) / 3) - 1)).toBeLessThan(4 * Math.sqrt(0.8 / n));
    }
  });
});

describe('packParams', () => {
  it('packs W1, b1, W2, b2 without padding', () => {
    const layout = modelLayout([3, 5, 2]);
    const flat = new Float32Array(layout.totalFloats).fill(-99);
    for (const l of layout.layers) {
      for (const [t, tag] of [[l.w, 1000], [l.b, 2000]] as const) {
        for (let i = 0; i < t.size; i++) flat[t.offset + i] = tag * (l === layout.layers[0] ? 1 : 10) + i;
      }
    }
    const expected = [
      ...Array.from({ length: 15 }, (_, i) => 1000 + i),
      ...Array.from({ length: 5 }, (_, i) => 2000 + i),
      ...Array.from({ length: 10 }, (_, i) => 10000 + i),
      ...Array.from({ length: 2 }, (_, i) => 20000 + i),
    ];
    expect(Array.from(packParams(layout, flat))).toEqual(expected);
  });
});

describe('checksum', () => {
  it('sha256Hex matches node:crypto on a known vector', async () => {
    expect(await sha256Hex(new TextEncoder().encode('abc'))).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });

  it('weightsSha256 is the SHA-256 of the packed little-endian float32 parameters', async () => {
    const layout = modelLayout([2, 3, 2]);
    const flat = new Float32Array(layout.totalFloats);
    const values = [0.5, -1.25, 3.0e-8, 1e30, -0, 2 / 3, Math.PI, -Math.E, 123456.789, 1, -1, 0.1, 7, -7, 1e-40, 42, 0.3];
    const packed: number[] = [];
    let k = 0;
    for (const l of layout.layers) {
      for (const t of [l.w, l.b]) {
        for (let i = 0; i < t.size; i++, k++) {
          flat[t.offset + i] = values[k];
          packed.push(values[k]);
        }
      }
    }
    expect(packed).toHaveLength(layout.parameterCount);
    const bytes = Buffer.alloc(packed.length * 4);
    packed.forEach((v, i) => bytes.writeFloatLE(v, i * 4));
    const expected = createHash('sha256').update(bytes).digest('hex');
    expect(await weightsSha256(layout, flat)).toBe(expected);

    // Padding does not enter the checksum; a change in any parameter does.
    const padded = flat.slice();
    for (const i of paddingIndices(layout)) padded[i] = 12345;
    expect(await weightsSha256(layout, padded)).toBe(expected);
    const changed = flat.slice();
    changed[layout.layers[1].b.offset + 1] = 0.3000001; // the next float32 after 0.3 is 0.30000004
    expect(await weightsSha256(layout, changed)).not.toBe(expected);
  });
});
