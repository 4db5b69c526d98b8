// A run whose loss goes to NaN stops at its last verified-good state, says what happened and what to
// change, and offers to resume from that state; with a lower learning rate the resumed run finishes.
// A loss that only soars (and comes back) is a warning, not a stop.
import { expect, test, type Page } from '@playwright/test';

// Eight ReLU layers with momentum at lr 0.3: the weights blow up to NaN within a dozen steps.
const LINK = 'v=1&dataset=gauss&layers=32,32,32,32,32,32,32,32&optimizer=momentum&lr=0.3&batch=16&epochs=3&seed=1';

const button = (page: Page, name: string | RegExp) => page.getByRole('button', { name, exact: typeof name === 'string' });
const field = (page: Page, label: string) => page.getByLabel(label, { exact: true });

/** Reads the kept step from the alert, lowers the learning rate to 0.03 and resumes from that step. */
async function resumeWithLowerLr(page: Page): Promise<void> {
  const kept = Number((await page.getByRole('alert').textContent())!.match(/after step (\d+), the last verified good/)![1]);
  const resume = button(page, `Resume from step ${kept}`);
  await expect(resume).toBeVisible();
  await field(page, 'Learning rate').fill('0.03');
  await field(page, 'Learning rate').press('Enter');
  await resume.click();
}

test('a diverged run keeps its last good state; lowering the learning rate and resuming finishes the run', async ({ page }) => {
  test.setTimeout(300_000);
  await page.goto(`/#${LINK}`);
  await expect(button(page, 'Train')).toBeEnabled();
  await button(page, 'Train').click();
  const status = page.getByTestId('run-status');
  await expect(status).toHaveText('Stopped', { timeout: 120_000 });
  const alert = page.getByRole('alert');
  await expect(alert).toContainText(/loss diverged at step \d+ \((NaN|-?Infinity)\)/);
  await expect(alert).toContainText(/are kept: lower the learning rate, e\.g\. to 0\.03, and resume/);
  // The saved run is the kept state: the banner offers exactly that step.
  await resumeWithLowerLr(page);
  await expect(status).toHaveText('Done', { timeout: 240_000 });
  await expect(page.getByTestId('weights-sha256')).toHaveText(/^[0-9a-f]{64}$/);
  await expect(page.getByTestId('step')).toHaveAttribute('data-value', '150');
  await expect(field(page, 'Learning rate')).toHaveValue('0.03');
  await expect(alert).not.toContainText('diverged');
});

test('2 replicas: the diverged run names the replicas, keeps a good state, and resumes from it with a lower learning rate', async ({ page }) => {
  test.setTimeout(300_000);
  await page.goto(`/#${LINK}&replicas=2`);
  await expect(button(page, 'Train')).toBeEnabled();
  await button(page, 'Train').click();
  const status = page.getByTestId('run-status');
  await expect(status).toHaveText('Stopped', { timeout: 120_000 });
  const alert = page.getByRole('alert');
  await expect(alert).toContainText(/(gradient|loss) diverged at step \d+ \((NaN|-?Infinity) on replicas? [01]/);
  await resumeWithLowerLr(page);
  await expect(status).toHaveText('Done', { timeout: 240_000 });
  await expect(page.getByTestId('step')).toHaveAttribute('data-value', '150');
});

test('a loss that soars far above its start is a warning, and the run goes on to the end', async ({ page }) => {
  // The lr-too-high preset, for one epoch.
  await page.goto('/#v=1&dataset=spiral&layers=64,64&optimizer=sgd&lr=5&batch=16&epochs=1&seed=1');
  await expect(button(page, 'Train')).toBeEnabled();
  await button(page, 'Train').click();
  await expect(page.getByTestId('run-status')).toHaveText('Done', { timeout: 120_000 });
  const alert = page.getByRole('alert');
  await expect(alert).toContainText(/^Warning: the loss rose to [\d.e+]+ at step \d+, over 10× the first loss/);
  await expect(alert).toContainText('the learning rate 5 may be too high. Training goes on');
  await expect(alert).not.toContainText('Training stopped');
});
