// End-to-end test of activation recomputation in the page: a GPipe pipeline with recompute=1 draws its
// recomputation spans (R) in the timeline, with their legend entry and its smaller planned memory, and ends
// with recompute=0's losses and weights checksum; the math panel says what it keeps.
import { expect, test } from '@playwright/test';
import type { MetricRecord, StagesRecord } from '../src/core/metrics';
import { ofType, openLink, trainLink, weightsSha } from './run-page';

const PIPELINE = 'v=1&dataset=spiral&layers=16,16,16&optimizer=adam&lr=0.01&batch=32&epochs=1&seed=9&mode=pipeline&stages=2&microbatches=4&schedule=gpipe';
const RUN_TIMEOUT = 240_000;

test('a pipeline with recompute=1 shows its recomputation spans and ends with recompute=0\'s checksum', async ({ page }) => {
  test.setTimeout(3 * RUN_TIMEOUT);
  const plain = await trainLink(page, `${PIPELINE}&recompute=0`);
  const memory = page.getByTestId('model-parallel').getByTestId('memory-bars');
  const plainBytes = await memory.getByLabel(/^stage 1: /).getAttribute('aria-label');
  const again = await trainLink(page, `${PIPELINE}&recompute=1`);

  expect(weightsSha(plain)).toMatch(/^[0-9a-f]{64}$/);
  expect(weightsSha(again)).toBe(weightsSha(plain));
  expect(ofType(again, 'step').map((r) => r.loss)).toEqual(ofType(plain, 'step').map((r) => r.loss));
  const spans = (records: MetricRecord[]) => (ofType(records, 'stages') as StagesRecord[]).at(-1)!.spans.flat();
  expect(spans(plain).some((s) => s.kind === 'recompute')).toBe(false);
  expect(spans(again).filter((s) => s.kind === 'recompute').length).toBeGreaterThan(0);

  const panel = page.getByTestId('model-parallel');
  await expect(panel.locator('.mp-span[data-kind="recompute"]').first()).toBeAttached();
  await expect(panel.getByTestId('pipeline-timeline')).toContainText('forward recomputed before its backward');
  await expect(memory).toContainText('activations recomputed');
  expect(await memory.getByLabel(/^stage 1: /).getAttribute('aria-label')).not.toBe(plainBytes);
  await expect(page.getByTestId('explain')).toContainText('Recomputation: each stage keeps its micro-batches\' inputs');
});

test('the math panel says what recompute=1 keeps on one device, and that 784-64-10 saves nothing', async ({ page }) => {
  await openLink(page, 'v=1&recompute=1');
  await expect(page.getByTestId('explain')).toContainText('Recomputation: segments of ⌈√2⌉ = 2 layers');
  await expect(page.getByTestId('explain')).toContainText('nothing is saved');
  await openLink(page, 'v=1&recompute=1&layers=256,256,256');
  await expect(page.getByTestId('explain')).toContainText('4 activation buffers instead of 5');
});
