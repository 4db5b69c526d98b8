// Faults in the page, in the middle of a 2-replica run: a replica's Web Worker terminated (noticed by the
// coordinator's heartbeat) or its GPU device lost (device.destroy() inside the worker). Every replica
// restarts from a survivor's state (with local SGD, all from the last synchronisation; a pipeline's
// stages all from the last consistent checkpoint) and the run finishes with the checksum of an
// uninterrupted run.
import { expect, test, type Page } from '@playwright/test';

const LINK = 'v=1&dataset=spiral&layers=13,7&optimizer=adam&lr=0.01&batch=32&epochs=6&seed=5&replicas=2';

async function trainToEnd(page: Page, onStep?: (step: number) => Promise<void>, link = LINK): Promise<string> {
  watchConsole(page);
  await page.goto(`/#${link}`);
  const train = page.getByRole('button', { name: 'Train', exact: true });
  await expect(train).toBeEnabled();
  await train.click();
  if (onStep) await onStep(0);
  const sha = page.getByTestId('weights-sha256');
  try {
    await expect(sha).toHaveText(/^[0-9a-f]{64}$/, { timeout: 240_000 });
  } catch (e) {
    throw new Error(`${e instanceof Error ? e.message : e}\n${await pageState(page)}`);
  }
  return (await sha.textContent())!;
}

/** What the page shows and logged, for the message of a test that failed on it. */
async function pageState(page: Page): Promise<string> {
  const text = async (id: string) => (await page.getByTestId(id).textContent().catch(() => null)) ?? '(none)';
  const alerts = await page.getByRole('alert').allTextContents().catch(() => []);
  return [
    `page state: status ${await text('run-status')}, step ${await page.getByTestId('step').getAttribute('data-value').catch(() => '?')}`,
    `alerts: ${alerts.join(' | ') || '(none)'}`,
    `console: ${(consoleLines.get(page) ?? []).slice(-30).join('\n  ') || '(none)'}`,
  ].join('\n');
}

/** Every watched page's console messages and uncaught errors. */
const consoleLines = new WeakMap<Page, string[]>();
function watchConsole(page: Page): void {
  if (consoleLines.has(page)) return;
  const lines: string[] = [];
  consoleLines.set(page, lines);
  page.on('console', (m) => lines.push(`${m.type()}: ${m.text()}`));
  page.on('pageerror', (e) => lines.push(`uncaught: ${e.message}`));
}

/**
 * Pauses the run at once, steps it one step at a time to `fromStep`, applies the fault while the workers
 * hold, and resumes: the fault lands mid-run at a known step on a machine of any speed (racing a
 * running run to a step could lose to the run's end).
 */
async function faultMidRun(page: Page, fault: () => Promise<unknown>, fromStep = 3): Promise<void> {
  const shown = async () => Number(await page.getByTestId('step').getAttribute('data-value'));
  await page.getByRole('button', { name: 'Pause', exact: true }).click();
  await expect(page.getByTestId('run-status')).toHaveText('Paused');
  const step = page.getByRole('button', { name: 'Step', exact: true });
  for (let at = await shown(); at < fromStep; at = await shown()) {
    await step.click();
    await expect.poll(shown, { timeout: 60_000 }).toBeGreaterThan(at);
  }
  await fault();
  await page.getByRole('button', { name: 'Train', exact: true }).click();
}

/** Keeps a handle on every Web Worker the page starts, so a test can reach one as a fault would. */
async function trackWorkers(page: Page): Promise<void> {
  await page.addInitScript(() => {
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
}

/**
 * Served in front of the replica worker's script: it records the devices the worker creates and
 * destroys them on a 'test-lose-device' message, as a GPU reset or driver crash would lose them.
 */
const LOSE_DEVICE_PRELUDE = `
const labTestDevices = [];
const labRequestDevice = GPUAdapter.prototype.requestDevice;
GPUAdapter.prototype.requestDevice = async function (...args) {
  const device = await labRequestDevice.apply(this, args);
  labTestDevices.push(device);
  return device;
};
self.addEventListener('message', (e) => {
  if (e.data && e.data.type === 'test-lose-device') labTestDevices.forEach((d) => d.destroy());
});
`;

/** Serves the worker script with LOSE_DEVICE_PRELUDE in front, so a test can lose a worker's devices. */
async function loseDevicesOnMessage(page: Page): Promise<void> {
  await page.route(/replica-web-[^/]*\.js$/, async (route) => {
    const response = await route.fetch();
    await route.fulfill({ response, body: LOSE_DEVICE_PRELUDE + (await response.text()) });
  });
}

test('a replica whose GPU device is lost is replaced and the run ends with the uninterrupted checksum', async ({ page, context }) => {
  test.setTimeout(480_000);
  const clean = await trainToEnd(page);
  const faulty = await context.newPage();
  await trackWorkers(faulty);
  await loseDevicesOnMessage(faulty);
  const sha = await trainToEnd(faulty, () => faultMidRun(faulty, () => faulty.evaluate(
    () => (window as unknown as { labWorkers: Worker[] }).labWorkers[1].postMessage({ type: 'test-lose-device' }),
  )));
  expect(sha).toBe(clean);
  await expect(faulty.getByText(/replica 1 failed/)).toBeVisible();
});

test('a terminated replica worker is replaced and the run ends with the uninterrupted checksum', async ({ page, context }) => {
  test.setTimeout(480_000);
  const clean = await trainToEnd(page);

  const faulty = await context.newPage();
  await trackWorkers(faulty);
  const sha = await trainToEnd(faulty, () => faultMidRun(faulty, () => faulty.evaluate(
    () => (window as unknown as { labWorkers: Worker[] }).labWorkers[1].terminate(),
  )));
  expect(sha).toBe(clean);
  await expect(faulty.getByText(/replica 1 stopped answering/)).toBeVisible();
});

test('local SGD: a terminated replica worker sends every replica back to the last synchronisation, to the uninterrupted checksum', async ({ page, context }) => {
  test.setTimeout(480_000);
  const link = `${LINK}&sync=4`;
  const clean = await trainToEnd(page, undefined, link);

  const faulty = await context.newPage();
  await trackWorkers(faulty);
  // After step 10, so the last synchronisation is not the start.
  const sha = await trainToEnd(faulty, () => faultMidRun(faulty, () => faulty.evaluate(
    () => (window as unknown as { labWorkers: Worker[] }).labWorkers[1].terminate(),
  ), 10), link);
  expect(sha).toBe(clean);
  await expect(faulty.getByText(/replica 1 stopped answering/)).toBeVisible();
});

test('pipeline: a stage whose GPU device is lost sends every stage back to the last consistent checkpoint, to the uninterrupted checksum', async ({ page, context }) => {
  test.setTimeout(480_000);
  const link = 'v=1&dataset=spiral&layers=16,16,16&optimizer=adam&lr=0.01&batch=32&epochs=2&seed=5&mode=pipeline&stages=3&microbatches=2';
  const clean = await trainToEnd(page, undefined, link);

  const faulty = await context.newPage();
  await trackWorkers(faulty);
  await loseDevicesOnMessage(faulty);
  // After step 20, so the last consistent checkpoint (every 16 steps) is not the start.
  const sha = await trainToEnd(faulty, () => faultMidRun(faulty, () => faulty.evaluate(
    () => (window as unknown as { labWorkers: Worker[] }).labWorkers[1].postMessage({ type: 'test-lose-device' }),
  ), 20), link);
  expect(sha).toBe(clean);
  await expect(faulty.getByText(/stage 1 failed/)).toBeVisible();
});
