// End-to-end tests of the exports and imports: a trained model downloaded for TensorFlow.js and loaded
// by tfjs, the run downloaded as a PyTorch DDP folder (its script is the code view's), the exported
// weights imported to continue training, a CSV data set imported, trained on and shared, and an iris CSV
// with named species in a European dialect whose names show wherever its classes do.
import { expect, test, type Page } from '@playwright/test';
import * as tf from '@tensorflow/tfjs';
import { DDP_FILES } from '../src/core/codegen';
import { parseLink } from '../src/core/config';
import { twoDDataset } from '../src/core/datasets';
import { float32Values, type ExportFile } from '../src/core/export-files';
import { unzipFiles } from '../src/core/export-zip';
import { TFJS_MODEL_FILE, tfjsImport } from '../src/core/export-tfjs';
import type { DoneRecord, MetricRecord, StepRecord } from '../src/core/metrics';
import { initParams, layerSizes, modelLayout, packParams } from '../src/core/model';
import { forwardBackwardRef, gatherRef, predictRef } from '../src/core/reference';
import { batchIndices, epochOrder } from '../src/core/sampler';
import { button, download } from './run-page';

const LINK = 'v=1&dataset=xor&layers=8&optimizer=adam&lr=0.05&batch=32&epochs=1&seed=7';
const RUN_TIMEOUT = 240_000;

const status = (page: Page) => page.getByTestId('run-status');

const jsonLines = (text: string) => text.trim().split('\n').map((l) => JSON.parse(l) as MetricRecord);
const byPath = (files: ExportFile[]) => new Map(files.map((f) => [f.path, f.bytes]));

test('download the model for TensorFlow.js and the run for PyTorch DDP; import the weights and go on training', async ({ page }) => {
  const config = parseLink(LINK);
  const dataset = twoDDataset('xor', config.seed);
  const layout = modelLayout(layerSizes(config, dataset.inputs, dataset.classes));
  await page.goto(`/#${LINK}`);
  await expect(button(page, 'Train')).toBeEnabled();

  // The DDP folder describes the run before it trains: its script is the code view's PyTorch code.
  const ddp = byPath(unzipFiles(await download(page, 'Download this run as a PyTorch DDP folder (ZIP)')));
  expect([...ddp.keys()].sort()).toEqual(Object.values(DDP_FILES).sort());
  await button(page, 'PyTorch').click();
  expect(new TextDecoder().decode(ddp.get(DDP_FILES.script))).toBe(await page.getByTestId('code').textContent());
  expect(float32Values(ddp.get(DDP_FILES.weights)!)).toEqual(packParams(layout, initParams(layout, config.seed)));

  await button(page, 'Train').click();
  await expect(status(page)).toHaveText('Done', { timeout: RUN_TIMEOUT });
  const records = jsonLines((await download(page, 'Download metrics as JSON Lines')).toString('utf8'));
  const done = records.find((r): r is DoneRecord => r.type === 'done')!;

  // tfjs loads the model and predicts the test set as the lab does, with the same accuracy.
  const tfjsZip = await download(page, 'Download the trained model for TensorFlow.js (ZIP)');
  expect(tfjsZip.readUInt16LE(8)).toBe(8); // deflated: the import below reads it back
  const files = byPath(unzipFiles(tfjsZip));
  const modelJson = JSON.parse(new TextDecoder().decode(files.get(TFJS_MODEL_FILE)));
  const group = modelJson.weightsManifest[0];
  const weightData = new Uint8Array(files.get(group.paths[0])!).buffer; // a copy: the download is a Node Buffer
  await tf.setBackend('cpu');
  const model = await tf.loadLayersModel(tf.io.fromMemory({ modelTopology: modelJson.modelTopology, weightSpecs: group.weights, weightData }));
  const { x, y, n } = dataset.test;
  const probs = await (model.predict(tf.tensor2d(x, [n, 2])) as tf.Tensor).data();
  const params = await tfjsImport(layout, JSON.stringify(modelJson), async (p) => files.get(p)!);
  const ref = predictRef(layout, params, x, n);
  expect(Math.max(...probs.map((p, i) => Math.abs(p - ref[i])))).toBeLessThan(1e-5);
  let correct = 0;
  for (let r = 0; r < n; r++) if ((probs[2 * r + 1] > probs[2 * r] ? 1 : 0) === y[r]) correct++;
  expect(correct / n).toBe(done.testAccuracy);

  // Import those weights: the next run starts from them (its first loss is theirs on the first batch).
  await page.getByLabel('Start from exported weights (TensorFlow.js ZIP, or model.json and its .bin)')
    .setInputFiles({ name: 'xor-seed7-tfjs.zip', mimeType: 'application/zip', buffer: tfjsZip });
  await expect(page.getByTestId('imported-weights')).toContainText('The next run starts from xor-seed7-tfjs.zip (2-8-2)');
  await button(page, 'Train').click();
  await expect(status(page)).toHaveText('Done', { timeout: RUN_TIMEOUT });
  const again = jsonLines((await download(page, 'Download metrics as JSON Lines')).toString('utf8'));
  const first = again.find((r): r is StepRecord => r.type === 'step')!;
  const batch = gatherRef(dataset.train.x, dataset.train.y, 2, batchIndices(epochOrder(config.seed, 1, dataset.train.n), config.batch, 0));
  const expected = forwardBackwardRef(layout, params, batch.x, batch.y, config.batch, 1 / config.batch).lossSum / config.batch;
  expect(Math.abs(first.loss - expected) / expected).toBeLessThan(1e-5);
  const seeded = records.find((r): r is StepRecord => r.type === 'step')!;
  expect(first.loss).toBeLessThan(seeded.loss);
  // The link cannot reproduce a run from imported weights, so the address bar expects no checksum.
  expect(new URL(page.url()).hash).not.toContain('expect=');
});

/** 300 rows, 3 features, 3 classes, with a header; row i has class i mod 3. */
function blobsCsv(): Buffer {
  const rows = ['f1,f2,f3,species'];
  for (let i = 0; i < 300; i++) rows.push(`${(i % 3) + 0.3 * Math.sin(i)},${0.3 * Math.cos(i)},${Math.sin(i * 7)},${i % 3}`);
  return Buffer.from(`${rows.join('\n')}\n`);
}

test('import a CSV, train on it with 2 replicas and its shard map, share it by name; elsewhere the link says what is missing', async ({ page, browser }) => {
  await page.goto('/#v=1&layers=8&lr=0.05&batch=30&epochs=1&replicas=2');
  await expect(button(page, 'Train')).toBeEnabled();
  const csvInput = page.getByLabel('Train on your own CSV data');

  await csvInput.setInputFiles({ name: 'bad.csv', mimeType: 'text/csv', buffer: Buffer.from('a,b,label\n1,2,0\n3,x,1\n') });
  await expect(page.getByTestId('import-status')).toHaveText('bad.csv: line 3, column 2: "x" is not a number');

  await csvInput.setInputFiles({ name: 'blobs.csv', mimeType: 'text/csv', buffer: blobsCsv() });
  await expect(page.getByTestId('csv-dataset')).toContainText('Training on csv:blobs from blobs.csv: 270 training and 30 test rows, 3 features, 3 classes.');
  await expect(page.getByTestId('csv-dataset')).toContainText('The data stays in this browser');
  await expect(page.getByLabel('Data set', { exact: true })).toHaveValue('csv:blobs');
  await expect.poll(() => new URL(page.url()).hash).toContain('dataset=csv:blobs&');

  await button(page, 'Train').click();
  await expect(status(page)).toHaveText('Done', { timeout: RUN_TIMEOUT });
  const records = jsonLines((await download(page, 'Download metrics as JSON Lines')).toString('utf8'));
  expect(records.filter((r) => r.type === 'step')).toHaveLength(270 / 30);
  expect(records.filter((r) => r.type === 'shard').every((r) => r.type === 'shard' && r.ids.flat().every((id) => id < 270))).toBe(true);
  expect(records.find((r): r is DoneRecord => r.type === 'done')!.testAccuracy).toBeGreaterThan(0.5);
  await expect(page.getByTestId('shard-map')).toHaveAttribute('data-kind', 'points');

  // The DDP export carries the CSV set, so the run can go on elsewhere.
  const ddp = byPath(unzipFiles(await download(page, 'Download this run as a PyTorch DDP folder (ZIP)')));
  expect(new TextDecoder().decode(ddp.get(DDP_FILES.script))).toContain('assert (inputs, classes) == (3, 3)');

  // A browser without the set (a new profile) gets the link's message, not a half-applied config.
  const elsewhere = await (await browser.newContext()).newPage();
  await elsewhere.goto(page.url());
  await expect(elsewhere.getByRole('alert')).toContainText('dataset: csv:blobs is a CSV data set that was not imported here');
  await expect(elsewhere.getByLabel('Data set', { exact: true })).toHaveValue('mnist');

  // After a reload the set is still known, and the link opens; a teacher's hide=import hides the panel.
  await page.reload();
  await expect(page.getByLabel('Data set', { exact: true })).toHaveValue('csv:blobs');
  await expect(page.getByRole('region', { name: 'Import' })).toBeVisible();
  await page.goto(`${page.url()}&hide=import`);
  await page.reload();
  await expect(page.getByLabel('Data set', { exact: true })).toHaveValue('csv:blobs');
  await expect(page.getByRole('region', { name: 'Import' })).toHaveCount(0);

  // Forget it: the form goes back to MNIST, and the link no longer opens here either.
  const link = page.url().replace('&hide=import', '');
  await page.goto(link);
  await page.reload();
  await button(page, 'Forget this data set').click();
  await expect(page.getByLabel('Data set', { exact: true })).toHaveValue('mnist');
  await page.goto('about:blank'); // then a fresh load of the link (a rejected link's hash is rewritten)
  await page.goto(link);
  await expect(page.getByRole('alert')).toContainText('dataset: csv:blobs is a CSV data set that was not imported here');
});

/** 150 iris-like rows as a European spreadsheet writes them: ';' between fields, decimal commas, CRLF. */
function irisEuropeanCsv(): Buffer {
  const species = ['setosa', 'versicolor', 'virginica'];
  const rows = ['sepal length;sepal width;petal length;petal width;species'];
  for (let i = 0; i < 150; i++) {
    const c = i % 3;
    const x = [5 + c * 0.6 + 0.3 * Math.sin(i), 3.4 - c * 0.3 + 0.2 * Math.cos(i), 1.5 + c * 2 + 0.3 * Math.sin(3 * i), 0.2 + c * 0.8];
    rows.push([...x.map((v) => v.toFixed(3).replace('.', ',')), species[c]].join(';'));
  }
  return Buffer.from(`${rows.join('\r\n')}\r\n`);
}

test('iris with named species, ";" and decimal commas: the names in the hint, shard map, histograms, confusion matrix, predictions and TF.js export', async ({ page }) => {
  await page.goto('/#v=1&layers=8&lr=0.05&batch=15&epochs=2&replicas=2&shard=label');
  await expect(button(page, 'Train')).toBeEnabled();
  await page.getByLabel('Train on your own CSV data').setInputFiles({ name: 'iris.csv', mimeType: 'text/csv', buffer: irisEuropeanCsv() });
  await expect(page.getByTestId('csv-dataset')).toContainText('Training on csv:iris from iris.csv: 135 training and 15 test rows, 4 features, 3 classes; '
    + 'the labels are names: class ids in order of first appearance (0 "setosa", 1 "versicolor", 2 "virginica").');

  await button(page, 'Train').click();
  await expect(status(page)).toHaveText('Done', { timeout: RUN_TIMEOUT });

  // shard=label: class c belongs to replica c mod 2, which the legend and the histograms say by name.
  await expect(page.getByTestId('shard-legend-replica')).toHaveText(['replica 0: setosa, virginica', 'replica 1: versicolor']);
  await expect(page.getByTestId('histogram-replica-1').locator('.histogram-tick')).toHaveText(['setosa', 'versicolor', 'virginica']);
  await expect(page.getByTestId('histogram-replica-1')).toHaveAttribute('data-counts', /^\[0,\d+,0\]$/);

  await page.getByRole('tab', { name: 'Confusion matrix' }).click();
  await expect(page.getByTestId('confusion-matrix')).toHaveAttribute('data-final', 'true', { timeout: 60_000 });
  await expect(page.getByTestId('confusion-class')).toHaveText(['setosa', 'versicolor', 'virginica']);
  await expect(page.getByTestId('confusion-matrix').locator('tbody th')).toHaveText(['setosa', 'versicolor', 'virginica']);
  const counts = await page.getByTestId('confusion-cell').evaluateAll((cs) => cs.map((c) => Number(c.getAttribute('data-count'))));
  expect(counts.reduce((a, b) => a + b, 0)).toBe(15);

  await page.getByRole('tab', { name: 'Test predictions' }).click();
  const rows = page.getByTestId('test-prediction');
  await expect(rows).toHaveCount(15);
  // Test row k is data row 10k; row i of the file has class i mod 3 (setosa first).
  await expect(rows.locator('td:nth-child(2)')).toHaveText(Array.from({ length: 15 }, (_, k) => ['setosa', 'versicolor', 'virginica'][(10 * k + 9) % 3]));
  await expect(rows.first().locator('td:nth-child(3)')).toHaveText(/^(setosa|versicolor|virginica)$/);

  // The TF.js download is deflated and carries the names for whoever loads the model.
  const zip = await download(page, 'Download the trained model for TensorFlow.js (ZIP)');
  expect(zip.readUInt16LE(8)).toBe(8);
  const modelJson = JSON.parse(new TextDecoder().decode(byPath(unzipFiles(zip)).get(TFJS_MODEL_FILE)));
  expect(modelJson.userDefinedMetadata).toEqual({ classNames: ['setosa', 'versicolor', 'virginica'] });
});
