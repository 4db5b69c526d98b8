// End-to-end tests of share links, presets, classroom mode and downloads: a link round trip, two runs
// of one link giving the same metrics and the "reproduced exactly" badge, hide=, and files that parse.
import { readFile } from 'node:fs/promises';
import { expect, test, type Page } from '@playwright/test';
import { parseLink, serializeConfig } from '../src/core/config';
import type { MetricRecord } from '../src/core/metrics';
import { PRESETS } from '../src/core/presets';
import { CSV_COLUMNS } from '../src/ui/import-export/exports';

/** Two replicas, so the runs also carry per-phase worker timings for the trace. */
const LINK = 'v=1&dataset=xor&layers=8&optimizer=adam&lr=0.05&batch=32&epochs=1&seed=7&replicas=2';
const STEPS = 25; // 800 samples / batch 32
const RUN_TIMEOUT = 240_000;

const field = (page: Page, label: string) => page.getByLabel(label, { exact: true });
const button = (page: Page, name: string) => page.getByRole('button', { name, exact: true });
const status = (page: Page) => page.getByTestId('run-status');
const hashOf = (page: Page) => new URL(page.url()).hash;

async function open(page: Page, hash: string): Promise<void> {
  await page.goto(`/#${hash}`);
  await expect(button(page, 'Train')).toBeEnabled();
}

async function download(page: Page, name: string): Promise<string> {
  const [file] = await Promise.all([page.waitForEvent('download'), button(page, name).click()]);
  return readFile(await file.path(), 'utf8');
}

const jsonLines = (text: string) => text.trim().split('\n').map((l) => JSON.parse(l) as MetricRecord);
/** The records that must repeat exactly; timing and workers carry wall-clock numbers. */
const deterministic = (records: MetricRecord[]) => records.filter((r) => r.type === 'step' || r.type === 'eval' || r.type === 'done');

test('set controls, Share, open the link in a new page: the same config', async ({ page, context }) => {
  await open(page, 'v=1');
  const settings: [string, string][] = [
    ['Data set', 'circles'], ['Hidden layers', '12,6'], ['Optimizer', 'momentum'], ['Learning rate', '0.02'],
    ['Batch', '20'], ['Epochs', '3'], ['Seed', '42'], ['Replicas', '2'], ['Sharding', 'contiguous'], ['Sync', '4'],
  ];
  for (const [label, value] of settings) {
    const control = field(page, label);
    if ((await control.evaluate((el) => el.tagName)) === 'SELECT') await control.selectOption(value);
    else {
      await control.fill(value);
      await control.press('Enter');
    }
  }
  await button(page, 'Share').click();
  const link = await field(page, 'Share link').inputValue();
  const params = new URLSearchParams(new URL(link).hash.slice(1));
  expect(Object.fromEntries(['dataset', 'layers', 'optimizer', 'lr', 'batch', 'epochs', 'seed', 'replicas', 'shard'].map((k) => [k, params.get(k)]))).toEqual({
    dataset: 'circles', layers: '12,6', optimizer: 'momentum', lr: '0.02', batch: '20', epochs: '3', seed: '42', replicas: '2', shard: 'contiguous',
  });
  expect(link).not.toContain('expect=');
  await field(page, 'Start training when opened').check();
  await expect(field(page, 'Share link')).toHaveValue(`${link}&autostart=1`);

  const other = await context.newPage();
  await other.goto(link);
  await expect(button(other, 'Train')).toBeEnabled();
  for (const [label, value] of settings) await expect(field(other, label)).toHaveValue(value);
  expect(hashOf(other)).toBe(hashOf(page));
});

test('one link trains the same run twice: identical metrics and "reproduced exactly"', async ({ page, context }) => {
  await open(page, LINK);
  await button(page, 'Train').click();
  await expect(status(page)).toHaveText('Done', { timeout: RUN_TIMEOUT });
  const sha = (await page.getByTestId('weights-sha256').textContent())!;
  await expect.poll(() => hashOf(page)).toBe(`#${serializeConfig(parseLink(LINK))}&expect=${sha}`);
  const first = jsonLines(await download(page, 'Download metrics as JSON Lines'));
  expect(deterministic(first).filter((r) => r.type === 'step')).toHaveLength(STEPS);

  // The CSV and the Chrome trace of the same run parse.
  const csv = (await download(page, 'Download metrics as CSV')).trimEnd().split('\n');
  expect(csv[0]).toBe(CSV_COLUMNS.join(','));
  expect(csv.filter((l) => l.startsWith('step,'))).toHaveLength(STEPS);
  expect(csv.slice(1).every((l) => l.split(',').length === CSV_COLUMNS.length)).toBe(true);
  const trace = JSON.parse(await download(page, 'Download the worker timeline as a Chrome trace')) as {
    traceEvents: { name: string; ph: string; ts: number; dur?: number; pid: number; tid: number }[];
  };
  const slices = trace.traceEvents.filter((e) => e.ph === 'X');
  expect(slices).toHaveLength(STEPS * 2 * 4); // steps × replicas × phases
  expect(new Set(slices.map((e) => e.tid))).toEqual(new Set([0, 1]));
  expect(slices.every((e) => Number.isFinite(e.ts) && (e.dur ?? -1) >= 0)).toBe(true);

  // The address bar's link, opened elsewhere with autostart=1, trains by itself and reproduces the run.
  const again = await context.newPage();
  await again.goto(`${page.url()}&autostart=1`);
  await expect(again.getByTestId('reproduction')).toContainText('train to the end to compare');
  await expect(status(again)).toHaveText('Done', { timeout: RUN_TIMEOUT });
  await expect(again.getByTestId('reproduction')).toContainText('reproduced exactly');
  const second = jsonLines(await download(again, 'Download metrics as JSON Lines'));
  expect(deterministic(second)).toEqual(deterministic(first));

  // A link whose checksum was tampered with says the run differs.
  const tampered = sha.replace(/.$/, (c) => (c === '0' ? '1' : '0'));
  const third = await context.newPage();
  await third.goto(`/#${LINK}&expect=${tampered}&autostart=1`);
  await expect(status(third)).toHaveText('Done', { timeout: RUN_TIMEOUT });
  await expect(third.getByTestId('reproduction')).toContainText('differs from the shared run (different GPU or driver)');
  await expect(third.getByTestId('weights-sha256')).toHaveText(sha);
});

test('Step takes one step and stays paused', async ({ page }) => {
  await open(page, 'v=1&dataset=xor&layers=8&optimizer=adam&lr=0.05&batch=32&epochs=1000&seed=3&replicas=2');
  await expect(button(page, 'Step')).toBeDisabled();
  await button(page, 'Train').click();
  await expect.poll(async () => Number(await page.getByTestId('step').getAttribute('data-value')), { timeout: RUN_TIMEOUT }).toBeGreaterThan(3);
  await button(page, 'Pause').click();
  await page.waitForTimeout(1500); // steps already under way finish
  const pausedAt = Number(await page.getByTestId('step').getAttribute('data-value'));
  await button(page, 'Step').click();
  await expect(status(page)).toHaveText('Paused');
  await expect(page.getByTestId('step')).toHaveAttribute('data-value', String(pausedAt + 1));
  await page.waitForTimeout(1500);
  await expect(page.getByTestId('step')).toHaveAttribute('data-value', String(pausedAt + 1));
});

test('a preset sets its config and explains itself; a config change drops expect=', async ({ page }) => {
  const sha = 'a'.repeat(64);
  await open(page, `v=1&dataset=spiral&expect=${sha}`);
  expect(hashOf(page)).toContain(`&expect=${sha}`);
  const preset = PRESETS.find((p) => p.name === 'data-parallel-4')!;
  await field(page, 'Preset').selectOption(preset.name);
  await expect(field(page, 'Replicas')).toHaveValue('4');
  await expect(field(page, 'Batch')).toHaveValue('128');
  await expect(page.getByTestId('preset-description')).toHaveText(preset.description);
  await expect.poll(() => hashOf(page)).toBe(`#${serializeConfig(preset.config)}`);
  await field(page, 'Seed').fill('9');
  await field(page, 'Seed').press('Enter');
  await expect(page.getByTestId('preset-description')).toContainText('Custom settings');
});

test('hide= hides the named controls and panels, and a bad hide= names the key', async ({ page }) => {
  const hide = 'lr,seed,presets,share,code,explain,downloads,dataparallel';
  await open(page, `v=1&dataset=xor&replicas=2&hide=${hide}`);
  await expect(field(page, 'Data set')).toHaveValue('xor');
  for (const label of ['Learning rate', 'Seed', 'Preset']) await expect(field(page, label)).toHaveCount(0);
  await expect(button(page, 'Share')).toHaveCount(0);
  await expect(page.getByRole('region', { name: 'Code' })).toHaveCount(0);
  await expect(page.getByTestId('explain')).toHaveCount(0);
  await expect(page.getByTestId('data-parallel')).toHaveCount(0);
  await expect(page.getByRole('group', { name: 'Downloads' })).toHaveCount(0);
  await expect(button(page, 'Train')).toBeVisible();
  await field(page, 'Epochs').fill('4');
  await field(page, 'Epochs').press('Enter');
  await expect.poll(() => hashOf(page)).toContain(`epochs=4&`);
  expect(hashOf(page)).toContain(`&hide=${hide}`);

  await page.evaluate(() => { window.location.hash = 'v=1&dataset=spiral&hide=lr,bogus'; });
  await expect(page.getByRole('alert')).toContainText('hide: unknown control "bogus"');
  await expect(field(page, 'Data set')).toHaveValue('xor');
  await expect(field(page, 'Learning rate')).toHaveCount(0);
  await expect.poll(() => hashOf(page)).toContain(`&hide=${hide}`);
});

test('the math, the code, presenter mode and the layout at 1280×720', async ({ page, context }) => {
  await context.grantPermissions(['clipboard-read', 'clipboard-write']);
  await open(page, 'v=1&dataset=spiral&layers=16,8&optimizer=adam&replicas=2&sync=4');
  const explain = page.getByTestId('explain');
  await expect(explain).toContainText('Forward: 2 → 16 → 8 → 3');
  await expect(explain).toContainText('Local SGD: 2 replicas, weights averaged every 4 steps');
  await expect(explain).toContainText('Adam');
  expect(await explain.locator('math').count()).toBeGreaterThanOrEqual(6);
  await expect(explain.locator('math mfrac').first()).toBeAttached();

  const code = page.getByTestId('code');
  await expect(code).toContainText('keras.layers.Dense(16, activation="relu")');
  await expect(code).toContainText('epsilon=1e-7');
  await button(page, 'PyTorch').click();
  await expect(code).toContainText('nn.Linear(16, 8)');
  await expect(code).toContainText('DistributedSampler');
  await button(page, 'Copy').click();
  await expect(page.getByRole('region', { name: 'Code' })).toContainText('Copied.');
  expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(await code.textContent());

  const overflow = () => page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  expect(await overflow()).toBeLessThanOrEqual(0);
  const chart = page.getByTestId('chart-loss');
  const before = (await chart.boundingBox())!.height;
  await button(page, 'Presenter mode').click();
  await expect(button(page, 'Presenter mode')).toHaveAttribute('aria-pressed', 'true');
  expect((await chart.boundingBox())!.height).toBeGreaterThan(before);
  expect(await overflow()).toBeLessThanOrEqual(0);

  // Keyboard: from the presenter toggle, Tab reaches the run controls, and the focused one shows an outline.
  await page.keyboard.press('Tab');
  const focused = page.locator(':focus');
  await expect(focused).toHaveText('Train');
  expect(await focused.evaluate((el) => getComputedStyle(el).outlineStyle)).not.toBe('none');
});
