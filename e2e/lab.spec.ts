// End-to-end tests of the lab page: the built site in Chromium with WebGPU (SwiftShader without a GPU),
// training real runs in the page's worker. Small configs, because SwiftShader is slow.
import { readFile } from 'node:fs/promises';
import { expect, test, type Page } from '@playwright/test';
import { DEFAULT_CONFIG, parseLink, serializeConfig } from '../src/core/config';
import type { MetricRecord } from '../src/core/metrics';
import { PRESETS } from '../src/core/presets';

const XOR_LINK = 'v=1&dataset=xor&layers=8&optimizer=adam&lr=0.05&batch=16&epochs=2&seed=3';
const XOR_CONFIG = parseLink(XOR_LINK);
/** The hash the page shows for a config: every field, in table order. */
const hashFor = (config = XOR_CONFIG) => `#${serializeConfig(config)}`;
const XOR_FORM: Record<string, string> = {
  'Data set': 'xor', 'Hidden layers': '8', Optimizer: 'adam', 'Learning rate': '0.05', Batch: '16', Epochs: '2', Seed: '3',
};
const RUN_TIMEOUT = 240_000;

const field = (page: Page, label: string) => page.getByLabel(label, { exact: true });
const button = (page: Page, name: string) => page.getByRole('button', { name, exact: true });
const status = (page: Page) => page.getByTestId('run-status');
const hashOf = (page: Page) => new URL(page.url()).hash;

async function valueOf(page: Page, testId: string): Promise<number> {
  const text = await page.getByTestId(testId).getAttribute('data-value');
  return text === null ? NaN : Number(text);
}

/** Opens a link and waits until the page's WebGPU check has enabled Train. */
async function open(page: Page, hash: string): Promise<void> {
  await page.goto(`/#${hash}`);
  await expect(button(page, 'Train')).toBeEnabled();
}

test('a share link fills the form, trains to the end, and the loss falls', async ({ page }) => {
  await open(page, XOR_LINK);
  for (const [label, value] of Object.entries(XOR_FORM)) await expect(field(page, label)).toHaveValue(value);
  expect(hashOf(page)).toBe(hashFor());

  await button(page, 'Train').click();
  await expect(status(page)).toHaveText('Done', { timeout: RUN_TIMEOUT });
  await expect(page.getByTestId('weights-sha256')).toHaveText(/^[0-9a-f]{64}$/);
  await expect(page.getByTestId('step')).toHaveText('100 / 100');
  await expect(page.getByTestId('adapter')).not.toHaveText('No run yet');
  expect(await valueOf(page, 'last-loss')).toBeLessThan(0.5 * (await valueOf(page, 'first-loss')));
  expect(await valueOf(page, 'test-accuracy')).toBeGreaterThan(0.8);
  // A finished run makes the address bar a link that expects its weights.
  const sha = await page.getByTestId('weights-sha256').textContent();
  expect(hashOf(page)).toBe(`${hashFor()}&expect=${sha}`);

  const [download] = await Promise.all([page.waitForEvent('download'), button(page, 'Download metrics as JSON Lines').click()]);
  const records = (await readFile(await download.path(), 'utf8')).trim().split('\n').map((l) => JSON.parse(l) as MetricRecord);
  const steps = records.filter((r) => r.type === 'step');
  expect(steps.map((r) => r.step)).toEqual(Array.from({ length: 100 }, (_, i) => i + 1));
  expect(records.filter((r) => r.type === 'eval')).toHaveLength(2);
  const done = records.at(-1);
  expect(done?.type === 'done' && done.weightsSha256).toBe(await page.getByTestId('weights-sha256').textContent());
});

test('a bad link is reported by key and the last valid config stays', async ({ page }) => {
  await page.goto('/#v=1&lr=abc');
  const alert = page.getByRole('alert');
  await expect(alert).toContainText('lr');
  await expect(alert).toContainText('(0, 10]');
  await expect(field(page, 'Learning rate')).toHaveValue(String(DEFAULT_CONFIG.lr));
  expect(hashOf(page)).toBe(hashFor(DEFAULT_CONFIG));

  // A valid link, then a pasted bad one: the valid one stays.
  await page.evaluate((hash) => { window.location.hash = hash; }, XOR_LINK);
  await expect(field(page, 'Data set')).toHaveValue('xor');
  await expect(alert).toHaveText('');
  await page.evaluate(() => { window.location.hash = 'v=1&dataset=xor&batch=0'; });
  await expect(alert).toContainText('batch');
  await expect(alert).toContainText('[1, 8192]');
  await expect(field(page, 'Batch')).toHaveValue('16');
  await expect.poll(() => hashOf(page)).toBe(hashFor());

  // A bad form edit: same report, the field goes back to its last valid value.
  await field(page, 'Epochs').fill('-3');
  await field(page, 'Epochs').press('Enter');
  await expect(alert).toContainText('epochs');
  await expect(field(page, 'Epochs')).toHaveValue('2');
  expect(hashOf(page)).toBe(hashFor());
});

test('form edits and presets update the address bar hash', async ({ page }) => {
  await open(page, XOR_LINK);
  await field(page, 'Epochs').fill('5');
  await field(page, 'Epochs').press('Enter');
  await expect.poll(() => hashOf(page)).toBe(hashFor({ ...XOR_CONFIG, epochs: 5 }));

  await field(page, 'Optimizer').selectOption('sgd');
  await expect.poll(() => hashOf(page)).toContain('optimizer=sgd');

  await field(page, 'Hidden layers').fill('32, 16');
  await field(page, 'Hidden layers').blur();
  await expect.poll(() => hashOf(page)).toContain('layers=32,16&');

  const spiral = PRESETS.find((p) => p.name === 'spiral')!;
  await field(page, 'Preset').selectOption(spiral.name);
  await expect.poll(() => hashOf(page)).toBe(hashFor(spiral.config));
  await expect(field(page, 'Data set')).toHaveValue('spiral');
});

test('a small MNIST run trains in the page and reports test accuracy', async ({ page }) => {
  await open(page, 'v=1&dataset=mnist&layers=16&optimizer=adam&lr=0.005&batch=64&epochs=1&seed=1');
  await button(page, 'Train').click();
  await expect(status(page)).toHaveText('Done', { timeout: RUN_TIMEOUT });
  await expect(page.getByTestId('step')).toHaveText('141 / 141');
  await expect(page.getByTestId('test-accuracy')).toHaveText(/^\d+\.\d\d%$/);
  expect(await valueOf(page, 'test-accuracy')).toBeGreaterThan(0.5);
  expect(await valueOf(page, 'last-loss')).toBeLessThan(0.5 * (await valueOf(page, 'first-loss')));
});

test('Pause holds the run, Train resumes it, Reset clears it', async ({ page }) => {
  await open(page, 'v=1&dataset=xor&layers=8&optimizer=adam&lr=0.05&batch=16&epochs=1000&seed=3');
  await button(page, 'Train').click();
  await expect.poll(() => valueOf(page, 'step'), { timeout: RUN_TIMEOUT }).toBeGreaterThan(20);
  await expect(field(page, 'Epochs')).toBeDisabled();

  await button(page, 'Pause').click();
  await expect(status(page)).toHaveText('Paused');
  await page.waitForTimeout(1500); // steps already submitted drain in this time
  const pausedAt = await valueOf(page, 'step');
  await page.waitForTimeout(1500);
  expect(await valueOf(page, 'step')).toBe(pausedAt);

  await button(page, 'Train').click();
  await expect(status(page)).toHaveText('Running');
  await expect.poll(() => valueOf(page, 'step'), { timeout: RUN_TIMEOUT }).toBeGreaterThan(pausedAt);
  await expect(page.getByTestId('chart-loss')).not.toHaveAttribute('data-points', '0');

  await button(page, 'Reset').click();
  await expect(status(page)).toHaveText('Idle');
  await expect(page.getByTestId('chart-loss')).toHaveAttribute('data-points', '0');
  await expect(page.getByTestId('step')).toHaveText('—');
  await expect(button(page, 'Download metrics as JSON Lines')).toBeDisabled();
  await expect(field(page, 'Epochs')).toBeEnabled();
  await page.waitForTimeout(1000); // nothing from the ended worker may arrive later
  await expect(page.getByTestId('chart-loss')).toHaveAttribute('data-points', '0');
});

test('a diverging run stops with a message and keeps its metrics', async ({ page }) => {
  await open(page, 'v=1&dataset=gauss&layers=256,256,256,256&optimizer=momentum&lr=10&batch=8&epochs=1&seed=1');
  await button(page, 'Train').click();
  await expect(status(page)).toHaveText('Stopped', { timeout: RUN_TIMEOUT });
  await expect(page.getByRole('alert')).toContainText(/loss diverged at step \d+.*lower the learning rate/);
  expect(await valueOf(page, 'step')).toBeGreaterThan(0);
  await expect(button(page, 'Download metrics as JSON Lines')).toBeEnabled();
});

test('without WebGPU the page says so and how to get it', async ({ page }) => {
  await page.addInitScript(() => {
    Object.defineProperty(Navigator.prototype, 'gpu', { get: () => undefined, configurable: true });
  });
  await page.goto(`/#${XOR_LINK}`);
  const notice = page.getByRole('region', { name: /WebGPU is not available/ });
  await expect(notice).toBeVisible();
  await expect(notice).toContainText('--enable-unsafe-webgpu');
  await expect(notice).toContainText('chrome://gpu');
  await expect(notice).toContainText('Chrome or Edge 113');
  await expect(button(page, 'Train')).toBeDisabled();
  await expect(field(page, 'Data set')).toHaveValue('xor');
});
