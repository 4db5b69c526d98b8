// What the Chromium tests of runs do with the page: press buttons, open a link, download files and the
// metric records, and pick records of one type.
import { readFile } from 'node:fs/promises';
import { expect, type Page } from '@playwright/test';
import { parseLink, serializeConfig } from '../src/core/config';
import type { MetricRecord } from '../src/core/metrics';

export const button = (page: Page, name: string) => page.getByRole('button', { name, exact: true });

export const ofType = <T extends MetricRecord['type']>(records: MetricRecord[], type: T) =>
  records.filter((r): r is Extract<MetricRecord, { type: T }> => r.type === type);

/** Opens a link in this page (a full load the first time, a hash change after) and waits for Train. */
export async function openLink(page: Page, link: string): Promise<void> {
  if (page.url() === 'about:blank') await page.goto(`/#${link}`);
  else await page.evaluate((hash) => { window.location.hash = hash; }, link);
  await expect.poll(() => new URL(page.url()).hash).toBe(`#${serializeConfig(parseLink(link))}`);
  await expect(button(page, 'Train')).toBeEnabled();
}

/** Opens `link`, trains it to Done (SwiftShader: minutes at most) and returns its metric records. */
export async function trainLink(page: Page, link: string, timeout = 240_000): Promise<MetricRecord[]> {
  await openLink(page, link);
  await button(page, 'Train').click();
  await expect(page.getByTestId('run-status')).toHaveText('Done', { timeout });
  return downloadRecords(page);
}

/** The final weights' SHA-256 of a finished run's records. */
export const weightsSha = (records: MetricRecord[]) => ofType(records, 'done')[0]?.weightsSha256;

/** Presses a download button and returns the file's bytes. */
export async function download(page: Page, name: string): Promise<Buffer> {
  const [file] = await Promise.all([page.waitForEvent('download'), button(page, name).click()]);
  return readFile(await file.path());
}

/** The run's metric records, from its JSON Lines download. */
export async function downloadRecords(page: Page): Promise<MetricRecord[]> {
  const text = (await download(page, 'Download metrics as JSON Lines')).toString('utf8');
  return text.trim().split('\n').map((l) => JSON.parse(l) as MetricRecord);
}
