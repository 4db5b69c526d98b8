// A class in Chromium: one teacher and three members, each in its own Chromium process, on the class
// server. Ring and star runs of the class train like one device with the same global batch, step by step;
// a join link with a wrong token is refused with the server's message; a student let in with the short code
// joins and can be removed; a browser without WebGPU is told so before it joins.
import { expect, test, type Browser, type Page } from '@playwright/test';
import type { ClassServer } from '../src/class/server';
import type { MetricRecord, StepRecord } from '../src/core/metrics';
import { classServer, joinAs, participant, startClassAt } from './class-pages';
import { button, downloadRecords, ofType } from './run-page';

/** 800 spiral points in global batches of 96, the 32 left over dropped: 8 steps, 32 samples a member. */
const SPIRAL = 'v=1&dataset=spiral&layers=8&lr=0.01&batch=96&epochs=1&seed=5&droplast=1';
const STEPS = 8;
const NAMES = ['Ada', 'Grace', 'Alan'];
const RUN_TIMEOUT = 240_000;

let server: ClassServer;
const browsers: Browser[] = [];
let teacher: Page;
const members: Page[] = [];
let joinLink: string | null = null;

test.beforeAll(async () => {
  server = await classServer();
  for (let i = 0; i < 4; i++) {
    const { browser, page } = await participant();
    browsers.push(browser);
    if (i === 0) teacher = page;
    else members.push(page);
  }
});

test.afterAll(async () => {
  await Promise.all(browsers.map((b) => b.close()));
  await server?.close();
});

const status = (page: Page) => page.getByTestId('run-status');

async function trainToTheEnd(page: Page): Promise<MetricRecord[]> {
  await button(page, 'Train').click();
  await expect(status(page)).toHaveText('Done', { timeout: RUN_TIMEOUT });
  return downloadRecords(page);
}

function expectLikeOneDevice(records: MetricRecord[], reference: StepRecord[], what: string): void {
  const steps = ofType(records, 'step');
  expect(steps.map((s) => s.step), what).toEqual(reference.map((s) => s.step));
  steps.forEach((s, i) => {
    expect(Math.abs(s.loss - reference[i].loss) / reference[i].loss, `${what}: step ${s.step} loss`).toBeLessThan(1e-5);
    expect(s.replicaLoss, `${what}: step ${s.step} replicaLoss`).toHaveLength(NAMES.length);
  });
}

test('three members in their own browsers train like one device with the same global batch, ring and star', async () => {
  // The reference: one device, in a page of the teacher's browser that opens no class.
  const single = await teacher.context().newPage();
  await single.goto(`${server.url}#${SPIRAL}&replicas=1`);
  const reference = ofType(await trainToTheEnd(single), 'step');
  expect(reference).toHaveLength(STEPS);
  await single.close();

  joinLink = await startClassAt(teacher, server, SPIRAL);
  for (const [k, page] of members.entries()) await joinAs(page, joinLink, NAMES[k]);
  const roster = teacher.getByTestId('class-roster');
  for (const name of NAMES) await expect(roster.locator(`tr[data-member="${name}"]`)).toContainText('ready');

  const ring = await trainToTheEnd(teacher);
  expectLikeOneDevice(ring, reference, 'ring');
  // The views name the members, and each member sees the run and its own part of it.
  await expect(teacher.getByTestId('shard-legend-replica')).toHaveText(NAMES);
  for (const [k, page] of members.entries()) {
    await expect(status(page)).toHaveText('Done');
    await expect(page.getByTestId('member-status')).toContainText(`replica ${k} of 3`);
    await expect(page.getByTestId('own-share-percent')).toHaveText('33.3%');
    const ids = JSON.parse((await page.getByTestId('own-shard-ids').getAttribute('data-ids'))!) as number[];
    expect(ids).toEqual(ofType(ring, 'shard').at(-1)!.ids[k]);
  }

  await teacher.evaluate((hash) => { window.location.hash = hash; }, `${SPIRAL}&allreduce=star`);
  await expect(teacher.getByLabel('All-reduce', { exact: true })).toHaveValue('star');
  const star = await trainToTheEnd(teacher);
  expectLikeOneDevice(star, reference, 'star');
  // Float64 partial sums: ring and star give the same bits.
  expect(ofType(star, 'done')[0].weightsSha256).toBe(ofType(ring, 'done')[0].weightsSha256);
});

test('a join link with a wrong token is refused with the server\'s message', async () => {
  joinLink ??= await startClassAt(teacher, server, SPIRAL);
  const wrong = joinLink.replace(/\.[^.]+$/, `.${'A'.repeat(32)}`);
  const page = await browsers[1].newPage();
  await page.goto(wrong);
  await page.getByLabel('Your name', { exact: true }).fill('Eve');
  await button(page, 'Join').click();
  await expect(page.getByTestId('member-message')).toHaveText('wrong join token for this session: ask the teacher for the join link');
  await expect(teacher.getByTestId('class-roster').locator('tr[data-member="Eve"]')).toHaveCount(0);
});

test('a student who types the short code joins once the teacher lets them in by name; the teacher can remove them', async () => {
  joinLink ??= await startClassAt(teacher, server, SPIRAL);
  const code = await teacher.getByTestId('class-short-code').innerText();
  const page = await browsers[2].newPage();
  await page.goto(server.url);
  await button(page, 'Join with a code').click();
  await page.getByLabel('Class code', { exact: true }).fill(code);
  await page.getByLabel('Your name', { exact: true }).fill('Linus');
  await button(page, 'Ask to join').click();
  await expect(page.getByText('Waiting for the teacher to let you in')).toBeVisible();
  await button(teacher, 'Let Linus in').click();
  await expect(page.getByTestId('member-status')).toContainText('Joined');
  const row = teacher.getByTestId('class-roster').locator('tr[data-member="Linus"]');
  await expect(row).toContainText(/ready|waiting for the next run/);
  await button(teacher, 'Remove Linus').click();
  await expect(row).toContainText('removed');
  await expect(page.getByTestId('member-status')).toContainText('the teacher removed you from the class');
});

test('a browser without WebGPU is told so plainly when it tries to join, and joins no one', async () => {
  joinLink ??= await startClassAt(teacher, server, SPIRAL);
  const { browser, page } = await participant({ webgpu: false });
  browsers.push(browser);
  await page.goto(joinLink);
  await page.getByLabel('Your name', { exact: true }).fill('Nogpu');
  await button(page, 'Join').click();
  await expect(page.getByTestId('member-message')).toContainText('cannot train with the class');
  await expect(teacher.getByTestId('class-roster').locator('tr[data-member="Nogpu"]')).toHaveCount(0);
});
