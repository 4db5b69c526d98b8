// A run saved in IndexedDB survives a reload: "Resume from step N" continues it exactly, and it ends
// with the checksum of a run that was never interrupted.
import { expect, test, type Page } from '@playwright/test';

const LINK = 'v=1&dataset=xor&layers=8&optimizer=adam&lr=0.05&batch=16&epochs=30&seed=3';

const button = (page: Page, name: string | RegExp) => page.getByRole('button', { name, exact: typeof name === 'string' });

async function finish(page: Page): Promise<string> {
  const sha = page.getByTestId('weights-sha256');
  await expect(sha).toHaveText(/^[0-9a-f]{64}$/, { timeout: 240_000 });
  return (await sha.textContent())!;
}

test('reload mid-run, resume from the saved step, same final checksum', async ({ page }) => {
  test.setTimeout(480_000);
  await page.goto(`/#${LINK}`);
  await expect(button(page, 'Train')).toBeEnabled();
  await button(page, 'Train').click();
  const clean = await finish(page);
  await button(page, 'Reset').click();

  await button(page, 'Train').click();
  const stepNow = async () => Number(await page.getByTestId('step').getAttribute('data-value'));
  await expect.poll(stepNow, { timeout: 240_000, intervals: [50] }).toBeGreaterThanOrEqual(200);
  await button(page, 'Pause').click();
  expect(await stepNow()).toBeLessThan(1500);
  await page.waitForTimeout(1500); // the pause saves the run's state
  await page.reload();
  const resume = button(page, /^Resume from step \d+$/);
  await expect(resume).toBeVisible();
  const step = Number((await resume.textContent())!.match(/\d+/)![0]);
  expect(step).toBeGreaterThanOrEqual(200);
  expect(step).toBeLessThan(1500);
  await expect(button(page, 'Train')).toBeEnabled();
  await resume.click();
  expect(await finish(page)).toBe(clean);
  await expect(page.getByTestId('step')).toHaveAttribute('data-value', '1500');
});
