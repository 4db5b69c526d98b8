// The TensorFlow.js export loaded by @tensorflow/tfjs itself (cpu backend, in Node): its predictions
// match the lab's float64 forward pass, class names ride in its metadata, and the weights come back in
// exactly; wrong shapes are refused.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { ExportError } from './export-files';
import { comparePredictions, loadTfjsFolder, writeFolder } from './export-testing';
import { TFJS_MODEL_FILE, tfjsExport, tfjsImport } from './export-tfjs';
import { initParams, modelLayout } from './model';
import { predictRef } from './reference';
import { createRng } from './rng';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('TensorFlow.js export', () => {
  const layout = modelLayout([784, 32, 16, 10]);
  const params = initParams(layout, 7);
  // Biases are zero after init: give them values so a bias in the wrong place would show.
  const rng = createRng(99);
  for (const l of layout.layers) for (let i = 0; i < l.b.size; i++) params[l.b.offset + i] = rng.normal() * 0.1;
  const rows = 50;
  const x = Float32Array.from({ length: rows * 784 }, () => rng.float());

  it('loads in tfjs as Dense layers with Keras names, relu then softmax, and predicts like the lab', async () => {
    const model = await loadTfjsFolder(writeFolder(tfjsExport(layout, params)));
    expect(model.layers.map((l) => l.name)).toEqual(['dense', 'dense_1', 'dense_2']);
    expect(model.layers.map((l) => (l.getConfig() as { activation: string }).activation)).toEqual(['relu', 'relu', 'softmax']);
    const out = model.predict(tf.tensor2d(x, [rows, 784])) as tf.Tensor;
    const got = await out.data();
    const { maxAbs, sameArgmax } = comparePredictions(got, predictRef(layout, params, x, rows), 10);
    expect(maxAbs).toBeLessThan(1e-5);
    expect(sameArgmax).toBe(true);
  });

  it('carries the class names in the model\'s user-defined metadata, and none for a set without', async () => {
    const names = ['zero', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine'];
    const model = await loadTfjsFolder(writeFolder(tfjsExport(layout, params, names)));
    expect(model.getUserDefinedMetadata()).toEqual({ classNames: names });
    expect((await loadTfjsFolder(writeFolder(tfjsExport(layout, params)))).getUserDefinedMetadata()).toBeUndefined();
  });

  it('reads its own export back into the flat layout exactly', async () => {
    const files = tfjsExport(layout, params);
    const byPath = new Map(files.map((f) => [f.path, f.bytes]));
    const back = await tfjsImport(layout, new TextDecoder().decode(byPath.get(TFJS_MODEL_FILE)), async (p) => byPath.get(p)!);
    expect(back).toEqual(params);
  });

  it('refuses weights of another network, naming both shapes', async () => {
    const files = tfjsExport(layout, params);
    const byPath = new Map(files.map((f) => [f.path, f.bytes]));
    const other = modelLayout([784, 64, 10]);
    const text = new TextDecoder().decode(byPath.get(TFJS_MODEL_FILE));
    await expect(tfjsImport(other, text, async (p) => byPath.get(p)!)).rejects.toThrow(ExportError);
    await expect(tfjsImport(other, text, async (p) => byPath.get(p)!)).rejects.toThrow(/dense\/kernel \[784, 32\].*dense\/kernel \[784, 64\]/);
    await expect(tfjsImport(layout, '{"format":', async () => new Uint8Array())).rejects.toThrow(/not a TensorFlow.js Layers model/);
  });
});
