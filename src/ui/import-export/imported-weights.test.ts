// Importing a TensorFlow.js export into the page as its weights come back from a ZIP (read as the ZIP
// worker reads it): the lab's own download (deflated), a stored ZIP, and the export's folder zipped again
// by the user (deflated, in a subfolder, with macOS's __MACOSX copies) all give the network that predicts
// exactly as the exported one. e2e/export.spec.ts imports the page's download through the worker itself.
import { zipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { tfjsExport } from '../../core/export-tfjs';
import { unzipFiles, zipFiles } from '../../core/export-zip';
import { initParams, modelLayout } from '../../core/model';
import { predictRef } from '../../core/reference';
import { createRng } from '../../core/rng';
import { weightsOf } from './imported-weights';

const layout = modelLayout([4, 8, 3]);
const params = initParams(layout, 5);
const rng = createRng(17);
for (const l of layout.layers) for (let i = 0; i < l.b.size; i++) params[l.b.offset + i] = rng.normal() * 0.1;
const files = tfjsExport(layout, params, ['setosa', 'versicolor', 'virginica']);
const rows = 30;
const x = Float32Array.from({ length: rows * 4 }, () => rng.normal());

const zips: [string, Uint8Array][] = [
  ['the lab\'s deflated download', zipFiles(files)],
  ['a stored ZIP', zipSync(Object.fromEntries(files.map((f) => [f.path, f.bytes])), { level: 0 })],
  ['the folder zipped again by the user', zipSync({
    'iris-tfjs/': new Uint8Array(),
    ...Object.fromEntries(files.map((f) => [`iris-tfjs/${f.path}`, [f.bytes, { level: 9 }] as const])),
    '__MACOSX/iris-tfjs/._model.json': new Uint8Array([0, 5, 22, 7]),
  })],
];

describe('weights imported from a ZIP', () => {
  it.each(zips)('%s gives the same network and the same predictions', async (_, zip) => {
    const weights = await weightsOf(unzipFiles(zip), 'iris-seed1-tfjs.zip');
    expect(weights.sizes).toEqual([4, 8, 3]);
    expect(predictRef(layout, weights.params, x, rows)).toEqual(predictRef(layout, params, x, rows));
  });

  it('says which weight file a picked model.json needs', async () => {
    const model = files.find((f) => f.path === 'model.json')!;
    await expect(weightsOf([model], 'model.json')).rejects.toThrow('model.json needs group1-shard1of1.bin: pick it too');
  });
});
