// End-to-end test of ZeRO stage 3 in the page: 2 replicas in Web Workers, each holding its shard of the
// weights, gradient and Adam state and one layer at a time, end with zero=0's losses and weights checksum;
// the memory bars show stage 3's plan, smaller than zero=0's, and the math panel explains the stage; with
// accumulate=2 and recompute=1 they end with zero=0's at accumulate=2, and the math panel says what it costs.
import { expect, test } from '@playwright/test';
import type { MetricRecord } from '../src/core/metrics';
import { ofType, trainLink, weightsSha } from './run-page';

const LINK = 'v=1&dataset=spiral&layers=16,16&optimizer=adam&lr=0.01&batch=32&epochs=1&seed=9&replicas=2';
const RUN_TIMEOUT = 240_000;

test('zero=3 on 2 replicas ends with zero=0\'s losses and checksum, and the memory bars show its plan', async ({ page }) => {
  test.setTimeout(3 * RUN_TIMEOUT);
  const plain = await trainLink(page, `${LINK}&zero=0`);
  const memory = page.getByTestId('memory-bars');
  const plainBytes = await memory.getByLabel(/^replica 0: /).getAttribute('aria-label');
  const sharded = await trainLink(page, `${LINK}&zero=3`);

  expect(weightsSha(plain)).toMatch(/^[0-9a-f]{64}$/);
  expect(weightsSha(sharded)).toBe(weightsSha(plain));
  expect(ofType(sharded, 'step').map((r) => r.loss)).toEqual(ofType(plain, 'step').map((r) => r.loss));
  // Two all-gathers and a reduce-scatter a step, against the all-reduce's two halves.
  const theory = (records: MetricRecord[]) => ofType(records, 'workers')[0].theoryBytes;
  expect(theory(sharded)).toBeCloseTo(1.5 * theory(plain), 6);

  await expect(memory).toContainText('ZeRO stage 3');
  expect(await memory.getByLabel(/^replica 0: /).getAttribute('aria-label')).not.toBe(plainBytes);
  await expect(page.getByTestId('explain')).toContainText('Stage 3 (FSDP) keeps only');
});

test('zero=3 with accumulate=2 and recompute=1 ends with zero=0\'s losses and checksum at accumulate=2, and the math panel says what it costs', async ({ page }) => {
  test.setTimeout(3 * RUN_TIMEOUT);
  const accumulated = `${LINK}&accumulate=2`;
  const plain = await trainLink(page, `${accumulated}&zero=0`);
  const sharded = await trainLink(page, `${accumulated}&zero=3&recompute=1`);

  expect(weightsSha(sharded)).toBe(weightsSha(plain));
  expect(ofType(sharded, 'step').map((r) => r.loss)).toEqual(ofType(plain, 'step').map((r) => r.loss));
  // Two gathers a micro-batch (and one more of each recomputed layer), one reduce-scatter a step: over 2.5 all-reduces.
  const theory = (records: MetricRecord[]) => ofType(records, 'workers')[0].theoryBytes;
  expect(theory(sharded) / theory(plain)).toBeGreaterThan(2.5);
  expect(ofType(sharded, 'workers')[0].bytesSent.reduce((a, b) => a + b, 0) / 2).toBeCloseTo(theory(sharded), 6);

  const explain = page.getByTestId('explain');
  await expect(explain).toContainText("With accumulate=2 (FSDP's no_sync)");
  await expect(explain).toContainText('5K(N−1)/N in all');
  await expect(explain).toContainText('all-gathered again for it');
});
