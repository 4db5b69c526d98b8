// End-to-end tests of model parallelism in the page: pipeline stages (GPipe and 1F1B) and tensor-parallel
// workers, each a Web Worker with its own WebGPU device, train exactly like one device with the same
// batch and seed; the split, the timeline and the bubble are drawn from what the workers measured.
import { expect, test, type Page } from '@playwright/test';
import { parseLink } from '../src/core/config';
import { twoDDataset } from '../src/core/datasets';
import { unzipFiles } from '../src/core/export-zip';
import { TFJS_MODEL_FILE, tfjsImport } from '../src/core/export-tfjs';
import type { MetricRecord, StagesRecord, StepRecord } from '../src/core/metrics';
import { layerSizes, modelLayout } from '../src/core/model';
import { bubbleTheory } from '../src/core/model-parallel';
import { relativeError } from '../src/core/reference';
import { button, download, downloadRecords, ofType, openLink } from './run-page';

const SPIRAL = 'v=1&dataset=spiral&layers=16,16,16&optimizer=adam&lr=0.01&batch=32&epochs=1&seed=9';
const RUN_TIMEOUT = 240_000;


/** Trains the link to the end: its metric records, and its final weights (read from the TensorFlow.js download). */
async function train(page: Page, link: string): Promise<{ records: MetricRecord[]; params: Float32Array }> {
  await openLink(page, link);
  await button(page, 'Train').click();
  await expect(page.getByTestId('run-status')).toHaveText('Done', { timeout: RUN_TIMEOUT });
  const records = await downloadRecords(page);
  const files = new Map(unzipFiles(await download(page, 'Download the trained model for TensorFlow.js (ZIP)')).map((f) => [f.path, f.bytes]));
  const config = parseLink(link);
  const dataset = twoDDataset('spiral', config.seed);
  const layout = modelLayout(layerSizes(config, dataset.inputs, dataset.classes));
  const params = await tfjsImport(layout, new TextDecoder().decode(files.get(TFJS_MODEL_FILE)), async (p) => files.get(p)!);
  return { records, params };
}

test('pipeline (GPipe, 1F1B), tensor parallel and data × pipeline train like one device, with their split and timeline drawn', async ({ page }) => {
  test.setTimeout(4 * RUN_TIMEOUT);
  const single = await train(page, SPIRAL);
  const base = ofType(single.records, 'step');
  expect(base.length).toBe(25); // 800 samples / batch 32

  const runs = [
    { link: `${SPIRAL}&mode=pipeline&stages=4&microbatches=4&schedule=gpipe`, workers: 4, microbatches: 4 },
    { link: `${SPIRAL}&mode=pipeline&stages=3&microbatches=8&schedule=1f1b`, workers: 3, microbatches: 8 },
    { link: `${SPIRAL}&mode=tensor&stages=2`, workers: 2, microbatches: 1 },
    { link: `${SPIRAL}&mode=pipeline&stages=2&microbatches=2&replicas=2`, workers: 4, microbatches: 2 },
  ];
  for (const { link, workers, microbatches } of runs) {
    const { records, params } = await train(page, link);
    expect(relativeError(params, single.params), `${link} final weights`).toBeLessThan(1e-5);
    const steps = ofType(records, 'step');
    expect(steps.map((r) => r.step), link).toEqual(base.map((r) => r.step));
    steps.forEach((r: StepRecord, i) => {
      expect(Math.abs(r.loss - base[i].loss) / base[i].loss, `${link} step ${r.step}`).toBeLessThanOrEqual(1e-5);
    });
    expect(ofType(records, 'done')).toHaveLength(1);

    const stages = ofType(records, 'stages') as StagesRecord[];
    expect(stages).toHaveLength(base.length);
    const last = stages[stages.length - 1];
    expect(last.spans).toHaveLength(workers);
    for (const spans of last.spans) {
      const forwards = new Set(spans.filter((s) => s.kind === 'F').map((s) => s.microbatch));
      expect(forwards.size, link).toBe(microbatches);
      // Tensor parallel waits for its partial sums, two per layer pair but the first backward's.
      if (link.includes('tensor')) expect(spans.filter((s) => s.kind === 'wait'), link).toHaveLength(3);
    }

    const panel = page.getByTestId('model-parallel');
    await expect(panel.getByTestId('mp-layer')).toHaveCount(4);
    if (link.includes('replicas=2')) await expect(panel.getByTestId('mp-lane').last()).toContainText('replica 1 stage 1');
    await expect(panel.getByTestId('mp-lane')).toHaveCount(workers);
    const measured = Number(await panel.getByTestId('bubble-measured').getAttribute('data-value'));
    expect(measured).toBeGreaterThanOrEqual(0);
    expect(measured).toBeLessThan(1);
    if (link.includes('pipeline')) {
      await expect(panel).toContainText('Pipeline parallelism');
      const stages = parseLink(link).stages;
      expect(Number(await panel.getByTestId('bubble-theory').getAttribute('data-value'))).toBeCloseTo(bubbleTheory(stages, microbatches), 12);
      await expect(panel.getByTestId('mp-layer').first()).toHaveAttribute('data-role', 'whole');
    } else {
      await expect(panel).toContainText('Tensor parallelism');
      await expect(panel.getByTestId('bubble-theory')).toHaveCount(0);
      await expect(panel.getByTestId('mp-layer').nth(0)).toHaveAttribute('data-role', 'column');
      await expect(panel.getByTestId('mp-layer').nth(1)).toHaveAttribute('data-role', 'row');
      await expect(panel.getByTestId('mp-layer').nth(2)).toHaveAttribute('data-role', 'column');
      await expect(panel.getByTestId('mp-layer').nth(3)).toHaveAttribute('data-role', 'row');
    }
  }
});

test('model-parallel limits are refused with the limit named, before anything runs', async ({ page }) => {
  await openLink(page, SPIRAL);
  await page.evaluate((hash) => { window.location.hash = hash; }, `${SPIRAL}&mode=pipeline&stages=5`);
  await expect(page.getByRole('alert')).toContainText('stages: at most 4 for pipeline');
  await page.evaluate((hash) => { window.location.hash = hash; }, `${SPIRAL}&mode=pipeline&stages=2&microbatches=33`);
  await expect(page.getByRole('alert')).toContainText('microbatches: at most the batch (32)');
  await page.evaluate((hash) => { window.location.hash = hash; }, `${SPIRAL.replace("layers=16,16,16", "layers=4")}&mode=tensor&stages=8`);
  await expect(page.getByRole('alert')).toContainText('hidden layer 1 has 4 units, fewer than the 8');
});
