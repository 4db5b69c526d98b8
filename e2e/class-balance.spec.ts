// balance=speed in a class, each participant its own Chromium process on the class server: with one of two
// members slowed by the test-only ?testthrottle= on its join link, epoch 2 gives it the smaller share and
// its median step is shorter than the same class's with balance=equal (an ordering, never a time).
import { expect, test, type Page } from '@playwright/test';
import { median } from '../src/core/median';
import type { MetricRecord, WorkersRecord } from '../src/core/metrics';
import { classroom, joinAs, startClassAt } from './class-pages';
import { button, downloadRecords, ofType } from './run-page';

/** 800 spiral points in global batches of 32: 25 steps an epoch, the second one's all planned by speed. */
const LINK = 'v=1&dataset=spiral&layers=8&lr=0.01&batch=32&epochs=2&seed=7&droplast=1';
const STEPS_PER_EPOCH = 25;
/** Grace's replica sleeps this long per sample: several times a step's compute here, whatever the load. */
const THROTTLE_MS_PER_SAMPLE = 20;
const RUN_TIMEOUT = 300_000;

const { server, person } = classroom();

/** A step's time: its longest replica's phases together (the others' all-reduce includes waiting for it). */
const stepMs = (w: WorkersRecord) => Math.max(...w.times.map((t) => t.computeMs + t.readbackMs + t.allreduceMs + t.updateMs));

async function trainWith(teacher: Page, balance: 'equal' | 'speed'): Promise<MetricRecord[]> {
  await teacher.evaluate((hash) => { window.location.hash = hash; }, `${LINK}&balance=${balance}`);
  await expect(teacher.getByLabel('Balance', { exact: true })).toHaveValue(balance);
  await button(teacher, 'Train').click();
  await expect(teacher.getByTestId('run-status')).toHaveText('Done', { timeout: RUN_TIMEOUT });
  return downloadRecords(teacher);
}

test('with one member slowed, balance=speed gives it the smaller share and a shorter median step than equal', async () => {
  const teacher = await person();
  const joinLink = await startClassAt(teacher, server(), LINK);
  const [ada, grace] = [await person(), await person()];
  await joinAs(ada, joinLink, 'Ada');
  // Test-only: Grace's replica sleeps in its compute phase (src/ui/class/member-class.ts, ?testthrottle=).
  await joinAs(grace, joinLink.replace('/#join=', `/?testthrottle=${THROTTLE_MS_PER_SAMPLE}#join=`), 'Grace');

  const equal = await trainWith(teacher, 'equal');
  await expect(grace.getByTestId('member-status')).toContainText('replica 1 of 2');
  const speed = await trainWith(teacher, 'speed');

  const epoch2 = (records: MetricRecord[]) => ofType(records, 'workers').filter((w) => w.step > STEPS_PER_EPOCH).map(stepMs);
  const [equalSteps, speedSteps] = [epoch2(equal), epoch2(speed)];
  expect(equalSteps).toHaveLength(STEPS_PER_EPOCH);
  expect(speedSteps).toHaveLength(STEPS_PER_EPOCH);
  const shards = ofType(speed, 'shard').filter((s) => s.epoch === 2);
  expect(shards).toHaveLength(STEPS_PER_EPOCH);
  const [adaShare, graceShare] = shards[0].shares!;
  const samples = (rank: number) => shards.reduce((n, s) => n + s.ids[rank].length, 0);
  console.log(`epoch 2 median step: equal ${median(equalSteps).toFixed(1)} ms, speed ${median(speedSteps).toFixed(1)} ms; `
    + `speed shares: Ada ${adaShare.toFixed(3)}, Grace (throttled) ${graceShare.toFixed(3)}; samples: Ada ${samples(0)}, Grace ${samples(1)}`);

  expect(graceShare).toBeLessThan(adaShare);
  expect(samples(1)).toBeLessThan(samples(0));
  expect(ofType(equal, 'shard').every((s) => s.ids[0].length === s.ids[1].length)).toBe(true);
  expect(median(speedSteps)).toBeLessThan(median(equalSteps));
});
