// Gradient accumulation and the learning-rate schedule in the page: 2 replica Web Workers, each adding up
// 4 micro-batches, train like one device with the whole batch, step by step through a warm-up and a cosine
// decay; the form says what the batch is made of, and the learning-rate chart draws every step's rate.
import { expect, test } from '@playwright/test';
import { learningRate, runLrSchedule } from '../src/core/optimizers';
import { parseLink } from '../src/core/config';
import { ofType, trainLink } from './run-page';

const LINK = 'v=1&dataset=spiral&layers=13,7&optimizer=adam&lr=0.02&warmup=5&lrschedule=cosine&batch=32&epochs=1&seed=5';
const STEPS = 25; // 800 samples / batch 32

test('2 replicas accumulating 4 micro-batches of 4 match one device with the batch of 32 at every step of a warm-up and cosine decay', async ({ page }) => {
  const train = async (link: string) => ofType(await trainLink(page, link), 'step');
  const one = await train(LINK);
  const schedule = runLrSchedule(parseLink(LINK), STEPS);
  expect(one.map((r) => r.lr)).toEqual(Array.from({ length: STEPS }, (_, i) => learningRate(schedule, i + 1)));
  await expect(page.getByTestId('lr-schedule')).toHaveText('warm-up over 5 steps to 0.02, then cosine decay to 0');
  await expect(page.getByTestId('chart-lr')).toHaveAttribute('data-points', String(STEPS));

  const accumulated = await train(`${LINK}&replicas=2&accumulate=4`);
  await expect(page.getByTestId('field-batch-note')).toHaveText('32 = 4 micro-batches × 4 rows × 2 replicas');
  await expect(page.getByTestId('explain')).toContainText('Gradient accumulation: 4 micro-batches per update');
  expect(accumulated.map((r) => r.lr)).toEqual(one.map((r) => r.lr));
  accumulated.forEach((r, i) => expect(Math.abs(r.loss - one[i].loss) / one[i].loss, `step ${r.step}`).toBeLessThanOrEqual(1e-5));
});
