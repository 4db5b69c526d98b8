// End-to-end tests of data parallelism in the page: N replica Web Workers, each with its own WebGPU
// device, must train exactly like one device; the per-replica views draw what the records say, and the
// repeats that pad an epoch (droplast=0) are marked, with the math saying why that step differs.
import { readFile } from 'node:fs/promises';
import { expect, test, type Page } from '@playwright/test';
import { decodeMnist, twoDDataset } from '../src/core/datasets';
import type { DoneRecord, ShardRecord, StepRecord, WorkersRecord } from '../src/core/metrics';
import { button, downloadRecords, ofType, openLink, trainLink } from './run-page';

const SPIRAL = 'v=1&dataset=spiral&layers=13,7&optimizer=adam&lr=0.01&batch=32&epochs=1&seed=5';
const SPIRAL_STEPS = 25; // 800 samples / batch 32
const MNIST_LABEL = 'v=1&dataset=mnist&layers=16&optimizer=adam&lr=0.005&batch=64&epochs=1&seed=1&replicas=2&shard=label';
const RUN_TIMEOUT = 240_000;

const status = (page: Page) => page.getByTestId('run-status');

async function valueOf(page: Page, testId: string): Promise<number> {
  const text = await page.getByTestId(testId).getAttribute('data-value');
  return text === null ? NaN : Number(text);
}

/** counts[rank][class] over the shard records of one epoch. */
function expectedCounts(shards: ShardRecord[], labels: Uint8Array, classes: number): number[][] {
  const counts = shards[0].ids.map(() => new Array<number>(classes).fill(0));
  for (const r of shards) r.ids.forEach((ids, rank) => ids.forEach((id) => counts[rank][labels[id]]++));
  return counts;
}

async function histogram(page: Page, rank: number): Promise<number[]> {
  return JSON.parse((await page.getByTestId(`histogram-replica-${rank}`).getAttribute('data-counts')) ?? 'null') as number[];
}

test('replicas train exactly like one device at all 25 steps (whole batches of 32), stay in sync, and ring and star agree', async ({ page }) => {
  const single = await trainLink(page, `${SPIRAL}&replicas=1`);
  const base = ofType(single, 'step');
  expect(base.map((r) => r.step)).toEqual(Array.from({ length: SPIRAL_STEPS }, (_, i) => i + 1));
  expect(base.every((r) => r.replicaLoss === undefined)).toBe(true);
  expect(single.filter((r) => r.type === 'shard' || r.type === 'workers' || r.type === 'sync')).toEqual([]);
  await expect(page.getByTestId('data-parallel')).toContainText('trains on one device');
  await expect(page.getByTestId('sync-status')).toHaveCount(0);

  const done: Record<string, DoneRecord> = {};
  for (const [replicas, allreduce] of [[2, 'ring'], [4, 'ring'], [4, 'star']] as const) {
    const what = `replicas=${replicas} ${allreduce}`;
    const records = await trainLink(page, `${SPIRAL}&replicas=${replicas}&allreduce=${allreduce}`);
    const steps = ofType(records, 'step');
    expect(steps.map((r) => r.step), what).toEqual(base.map((r) => r.step));
    steps.forEach((r: StepRecord, i) => {
      expect(Math.abs(r.loss - base[i].loss) / base[i].loss, `${what} step ${r.step} loss`).toBeLessThanOrEqual(1e-5);
      expect(r.replicaLoss, `${what} step ${r.step} replicaLoss`).toHaveLength(replicas);
      // Equal shards (32 / N rows each), so the global loss is the plain mean of the replicas' losses.
      const mean = r.replicaLoss!.reduce((s, v) => s + v, 0) / replicas;
      expect(Math.abs(mean - r.loss) / r.loss, `${what} step ${r.step} mean of replicaLoss`).toBeLessThanOrEqual(1e-5);
    });
    const syncs = ofType(records, 'sync');
    expect(syncs.map((r) => r.step), what).toEqual(base.map((r) => r.step));
    expect(syncs.every((r) => r.inSync && r.checksums.length === replicas), what).toBe(true);
    await expect(page.getByTestId('sync-status')).toHaveText('replicas in sync');
    await expect(page.getByTestId('sync-status')).toHaveAttribute('data-checks', String(SPIRAL_STEPS));
    await expect(page.getByTestId('replica-loss-chart')).toHaveAttribute('data-replicas', String(replicas));
    await expect(page.getByTestId('replica-loss-chart')).toHaveAttribute('data-points', String(SPIRAL_STEPS));
    done[what] = ofType(records, 'done')[0];
    expect(done[what]?.weightsSha256, what).toMatch(/^[0-9a-f]{64}$/);
  }
  expect(done['replicas=4 star'].weightsSha256).toBe(done['replicas=4 ring'].weightsSha256);
  await expect(page.getByTestId('weights-sha256')).toHaveText(done['replicas=4 ring'].weightsSha256);
});

test('throughput of a 2-replica run: the headline is the training-only average, the chart each step\'s windowed rate, start-up its own figure', async ({ page }) => {
  const records = await trainLink(page, `${SPIRAL}&replicas=2`);
  const timings = ofType(records, 'timing');
  expect(timings.map((t) => t.step)).toEqual(Array.from({ length: SPIRAL_STEPS }, (_, i) => i + 1));
  for (const t of timings) {
    expect(t.windowSteps).toBe(Math.min(t.step, 32));
    // All 32 samples of every step, over training time alone.
    expect(t.averageSamplesPerSec * (t.elapsedMs / 1000)).toBeCloseTo(32 * t.step, 6);
    expect(t.startupMs).toBe(timings[0].startupMs);
  }
  const last = timings.at(-1)!;
  expect(await valueOf(page, 'samples-per-sec')).toBe(last.averageSamplesPerSec);
  expect(await valueOf(page, 'startup')).toBe(last.startupMs);
  await expect(page.getByTestId('startup')).toHaveText(`ready after ${(last.startupMs / 1000).toFixed(1)} s`);
  await expect(page.getByTestId('chart-throughput')).toHaveAttribute('data-points', String(SPIRAL_STEPS));
  await expect(page.getByTestId('throughput-window')).toContainText(`over the last ${SPIRAL_STEPS} steps`);
});

test('the shard map, label histograms and worker lanes draw a 2-replica spiral run', async ({ page }) => {
  const records = await trainLink(page, `${SPIRAL}&replicas=2`);
  const shards = ofType(records, 'shard');
  const workers = ofType(records, 'workers');
  const { train: data, classes } = twoDDataset('spiral', 5);
  const map = page.getByTestId('shard-map');
  await map.scrollIntoViewIfNeeded();

  // This epoch: every training point used, each replica's labels as in the shard records.
  await expect(map).toHaveAttribute('data-kind', 'points');
  await expect(map).toHaveAttribute('data-mode', 'epoch');
  await expect(map).toHaveAttribute('data-used', String(data.n));
  const epochCounts = expectedCounts(shards, data.y, classes);
  for (const rank of [0, 1]) expect(await histogram(page, rank)).toEqual(epochCounts[rank]);
  await expect(page.getByTestId('histogram-replica-2')).toHaveCount(0);
  // Both replica colours are on the canvas (the point centres are drawn in the exact colour).
  const colours = await map.evaluate((canvas: HTMLCanvasElement) => {
    const { data: px } = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height);
    const count = (r: number, g: number, b: number) => {
      let n = 0;
      for (let i = 0; i < px.length; i += 4) if (px[i] === r && px[i + 1] === g && px[i + 2] === b) n++;
      return n;
    };
    return [count(0x25, 0x63, 0xeb), count(0xe4, 0x57, 0x2e)];
  });
  expect(colours[0]).toBeGreaterThan(100);
  expect(colours[1]).toBeGreaterThan(100);

  // This step: the last global batch only.
  await button(page, 'This step').click();
  await expect(map).toHaveAttribute('data-mode', 'step');
  await expect(map).toHaveAttribute('data-step', String(SPIRAL_STEPS));
  await expect(map).toHaveAttribute('data-used', '32');
  const stepCounts = expectedCounts(shards.slice(-1), data.y, classes);
  for (const rank of [0, 1]) expect(await histogram(page, rank)).toEqual(stepCounts[rank]);

  // Worker lanes: one per replica over the last 20 steps, each phase with its measured time on hover.
  const timeline = page.getByTestId('worker-timeline');
  await expect(timeline).toHaveAttribute('data-steps', '20');
  await expect(timeline.getByTestId('timeline-lane')).toHaveCount(2);
  const lane1 = timeline.locator('[data-testid="timeline-lane"][data-rank="1"]');
  await expect(lane1.locator(`[title^="replica 1 · step ${SPIRAL_STEPS} · compute"]`)).toHaveCount(1);
  await expect(lane1.locator(`[title^="replica 1 · step ${SPIRAL_STEPS} · all-reduce"]`)).toHaveCount(1);
  expect(await lane1.locator('.segment').first().getAttribute('title')).toMatch(/^replica 1 · step 6 · compute .*: \d+(\.\d+)? ms$/);
  await expect(page.getByRole('figure', { name: 'Worker timeline' }).locator('figcaption')).toContainText('wall clock');

  // Bytes sent per replica next to the theory 2K(N−1)/N, as in the last workers record.
  const last: WorkersRecord = workers.at(-1)!;
  expect(last.theoryBytes).toBeGreaterThan(0);
  for (const rank of [0, 1]) {
    expect(await valueOf(page, `bytes-sent-${rank}`)).toBe(last.bytesSent[rank]);
    expect(await valueOf(page, `theory-bytes-${rank}`)).toBe(last.theoryBytes);
  }
  // In a ring of two, each replica sends both halves once (reduce-scatter, then all-gather): exactly K.
  expect(last.bytesSent).toEqual([last.theoryBytes, last.theoryBytes]);
});

test('droplast=0 on 3 replicas: the shard map rings the repeat that pads the epoch, and the math says why step 27 is not one device\'s', async ({ page }) => {
  // 800 points padded to 801 for 3 replicas: the 27th batch holds the 20 points left and a repeat of the first.
  const link = `${SPIRAL.replace('batch=32', 'batch=30')}&replicas=3`;
  const records = await trainLink(page, link);
  const shards = ofType(records, 'shard');
  expect(shards.filter((r) => r.padded).map((r) => [r.step, r.padded])).toEqual([[27, [[], [], [6]]]]);
  const map = page.getByTestId('shard-map');
  await map.scrollIntoViewIfNeeded();
  await expect(map).toHaveAttribute('data-padded', '1');
  await expect(page.getByRole('figure', { name: 'Shard map' })).toContainText('800 of 800 samples used so far. 1 trained twice to pad the epoch (droplast=0), ringed.');
  await button(page, 'This step').click();
  await expect(map).toHaveAttribute('data-step', '27');
  await expect(map).toHaveAttribute('data-padded', '1');
  await expect(page.getByRole('figure', { name: 'Shard map' })).toContainText('1 of them is a repeat of the epoch\'s first samples (ringed)');
  await expect(page.getByRole('figure', { name: 'Shard map' })).toContainText('repeat (padding)');
  // The ring is drawn in the padding colour.
  const ringPixels = await map.evaluate((canvas: HTMLCanvasElement) => {
    const { data: px } = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height);
    let n = 0;
    for (let i = 0; i < px.length; i += 4) if (px[i] === 0x11 && px[i + 1] === 0x18 && px[i + 2] === 0x27) n++;
    return n;
  });
  expect(ringPixels).toBeGreaterThan(10);
  const explain = page.getByTestId('explain');
  await expect(explain).toContainText('The 800 training samples are not a multiple of N = 3: with droplast=0 the epoch is padded with 1 repeat');
  await expect(explain).toContainText('so the last step trains 21 samples, the repeat among them, where one device trains the 20 left');
  await button(page, 'Reset').click();
  await openLink(page, `${link}&droplast=1`);
  await expect(explain).toContainText('With droplast=1 every step is a whole batch of one device\'s order');
});

test('MNIST sharded by label: each replica sees only its own classes', async ({ page }) => {
  await openLink(page, MNIST_LABEL);
  await button(page, 'Train').click();
  await expect.poll(() => valueOf(page, 'step'), { timeout: RUN_TIMEOUT }).toBeGreaterThanOrEqual(5);
  await button(page, 'Pause').click();
  await expect(status(page)).toHaveText('Paused');
  // Steps already in flight drain; then the page holds still.
  let step = -1;
  await expect.poll(async () => {
    const previous = step;
    step = await valueOf(page, 'step');
    return step === previous;
  }, { intervals: [1500], timeout: 30_000 }).toBe(true);

  const map = page.getByTestId('shard-map');
  await map.scrollIntoViewIfNeeded();
  await expect(map).toHaveAttribute('data-kind', 'mnist');
  await expect(map).toHaveAttribute('data-cells', '400');
  await expect(page.getByTestId('sync-status')).toHaveText('replicas in sync');

  const records = await downloadRecords(page);
  const shards = ofType(records, 'shard');
  expect(shards.at(-1)?.step).toBe(step);
  const labels = decodeMnist(await readFile('public/data/mnist-train.bin')).y;
  const counts = expectedCounts(shards, labels, 10);
  for (const rank of [0, 1]) {
    const shown = await histogram(page, rank);
    expect(shown).toEqual(counts[rank]);
    shown.forEach((n, label) => {
      if (label % 2 === rank) expect(n, `replica ${rank} class ${label}`).toBeGreaterThan(0);
      else expect(n, `replica ${rank} class ${label}`).toBe(0);
    });
  }

  await button(page, 'This step').click();
  await expect(map).toHaveAttribute('data-cells', '64');
  const stepCounts = expectedCounts(shards.slice(-1), labels, 10);
  for (const rank of [0, 1]) expect(await histogram(page, rank)).toEqual(stepCounts[rank]);
  await button(page, 'Reset').click();
  await expect(status(page)).toHaveText('Idle');
});
