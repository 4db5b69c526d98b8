// A model over the lab's memory limit is refused in the page before any GPU allocation, with the
// numbers, and the lab stays usable.
import { expect, test } from '@playwright/test';

test('a config over the memory limit is refused with the numbers, before training', async ({ page }) => {
  await page.goto('/#v=1&dataset=mnist&layers=4096,4096,4096,4096&batch=8192&epochs=1');
  const train = page.getByRole('button', { name: 'Train', exact: true });
  await expect(train).toBeEnabled();
  await train.click();
  const alert = page.getByRole('alert');
  await expect(alert).toContainText(/model too large: needs \d+\.\d MiB of GPU memory in all, over the lab's limit of 1024\.0 MiB/, { timeout: 120_000 });
  await expect(page.getByTestId('step')).toHaveText('—');
  await expect(train).toBeEnabled();
});
