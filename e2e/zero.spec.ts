// End-to-end test of ZeRO stage 3 in the page: 2 replicas in Web Workers, each holding its shard of the
// weights, gradient and Adam state and one layer at a time, end with zero=0's losses and weights checksum;
// the memory bars show stage 3's plan, smaller than zero=0's, and the math panel explains the stage.
import { expect, test, type Page } from '@playwright/test';
import type { MetricRecord } from '../src/core/metrics';
import { button, downloadRecords, ofType, openLink } from './run-page';

const LINK = 'v=1&dataset=spiral&layers=16,16&optimizer=adam&lr=0.01&batch=32&epochs=1&seed=9&replicas=2';
const RUN_TIMEOUT = 240_000;

async function train(page: Page, link: string): Promise<MetricRecord[]> {
  await openLink(page, link);
  await button(page, 'Train').click();
  await expect(page.getByTestId('run-status')).toHaveText('Done', { timeout: RUN_TIMEOUT });
  return downloadRecords(page);
}

test('zero=3 on 2 replicas ends with zero=0\'s losses and checksum, and the memory bars show its plan', async ({ page }) => {
  test.setTimeout(3 * RUN_TIMEOUT);
  const plain = await train(page, `${LINK}&zero=0`);
  const memory = page.getByTestId('memory-bars');
  const plainBytes = await memory.getByLabel(/^replica 0: /).getAttribute('aria-label');
  const sharded = await train(page, `${LINK}&zero=3`);

  const sha = (records: MetricRecord[]) => ofType(records, 'done')[0]?.weightsSha256;
  expect(sha(plain)).toMatch(/^[0-9a-f]{64}$/);
  expect(sha(sharded)).toBe(sha(plain));
  expect(ofType(sharded, 'step').map((r) => r.loss)).toEqual(ofType(plain, 'step').map((r) => r.loss));
  // Two all-gathers and a reduce-scatter a step, against the all-reduce's two halves.
  const theory = (records: MetricRecord[]) => ofType(records, 'workers')[0].theoryBytes;
  expect(theory(sharded)).toBeCloseTo(1.5 * theory(plain), 6);

  await expect(memory).toContainText('ZeRO stage 3');
  expect(await memory.getByLabel(/^replica 0: /).getAttribute('aria-label')).not.toBe(plainBytes);
  await expect(page.getByTestId('explain')).toContainText('Stage 3 (FSDP) keeps only');
});
