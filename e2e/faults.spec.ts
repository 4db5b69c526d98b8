// Faults in the page: a replica's Web Worker terminated in the middle of a 2-replica run is noticed by
// the coordinator's heartbeat, every replica restarts from a survivor's state, and the run finishes
// with the checksum of an uninterrupted run.
import { expect, test, type Page } from '@playwright/test';

const LINK = 'v=1&dataset=spiral&layers=13,7&optimizer=adam&lr=0.01&batch=32&epochs=6&seed=5&replicas=2';

async function trainToEnd(page: Page, onStep?: (step: number) => Promise<void>): Promise<string> {
  await page.goto(`/#${LINK}`);
  const train = page.getByRole('button', { name: 'Train', exact: true });
  await expect(train).toBeEnabled();
  await train.click();
  if (onStep) await onStep(0);
  const sha = page.getByTestId('weights-sha256');
  await expect(sha).toHaveText(/^[0-9a-f]{64}$/, { timeout: 240_000 });
  return (await sha.textContent())!;
}

test('a terminated replica worker is replaced and the run ends with the uninterrupted checksum', async ({ page, context }) => {
  test.setTimeout(480_000);
  const clean = await trainToEnd(page);

  const faulty = await context.newPage();
  // Keep a handle on every Web Worker the page starts, so the test can kill one as a crash would.
  await faulty.addInitScript(() => {
    const Original = window.Worker;
    const started: Worker[] = [];
    (window as unknown as { labWorkers: Worker[] }).labWorkers = started;
    window.Worker = class extends Original {
      constructor(url: string | URL, options?: WorkerOptions) {
        super(url, options);
        started.push(this);
      }
    };
  });
  const sha = await trainToEnd(faulty, async () => {
    await expect(faulty.getByTestId('step')).toHaveText(/^([3-9]|\d\d+) \/ 150$/, { timeout: 120_000 });
    await faulty.evaluate(() => (window as unknown as { labWorkers: Worker[] }).labWorkers[1].terminate());
  });
  expect(sha).toBe(clean);
  await expect(faulty.getByText(/replica 1 stopped answering/)).toBeVisible();
});
