// An elastic class in Chromium, each participant its own Chromium process on the class server: in one run,
// a member that sends NaN (a test-only flag on its join link) is removed and named, a student who joins
// mid-run enters at a step boundary, and a member whose browser closes mid-run is dropped; the run finishes
// with the others, every change a membership record that both pages show, and the final weights are finite.
import { expect, test, type Locator, type Page } from '@playwright/test';
import type { MembershipRecord } from '../src/core/metrics';
import { classroom, joinAs, startClassAt } from './class-pages';
import { button, downloadRecords, ofType } from './run-page';

/** 800 spiral points in global batches of 24: 33 steps an epoch, 66 in all (time for the changes mid-run). */
const LINK = 'v=1&dataset=spiral&layers=8&lr=0.01&batch=24&epochs=2&seed=5&droplast=1';

const { server, person } = classroom();

const stepOf = async (page: Page) => Number(await page.getByTestId('step').getAttribute('data-value'));
const change = (page: Page, kind: MembershipRecord['change'], name: string) =>
  page.getByTestId('membership-events').locator(`li[data-change="${kind}"][data-name="${name}"]`);

test('a NaN member is removed, a late student enters, a closed browser is dropped, and the run finishes with the others', async () => {
  const teacher = await person();
  const joinLink = await startClassAt(teacher, server(), LINK);
  const [ada, grace, eve] = [await person(), await person(), await person()];
  await joinAs(ada, joinLink, 'Ada');
  await joinAs(grace, joinLink, 'Grace');
  // Test-only: Eve's vector of step 3 leaves her page as NaN (src/ui/class/member-class.ts, ?testfault=).
  await joinAs(eve, joinLink.replace('/#join=', '/?testfault=nan@3#join='), 'Eve');
  // The run is held from its first steps and taken on with Step, so that each change lands mid-run
  // however fast this machine trains.
  await button(teacher, 'Train').click();
  await expect.poll(() => stepOf(teacher), { timeout: 120_000 }).toBeGreaterThanOrEqual(1);
  await button(teacher, 'Pause').click();
  const stepUntil = async (target: Locator) => {
    for (let i = 0; i < 30 && !(await target.isVisible()); i++) {
      const before = await stepOf(teacher);
      await button(teacher, 'Step').click();
      await expect.poll(async () => (await target.isVisible()) || (await stepOf(teacher)) > before, { timeout: 60_000 }).toBe(true);
    }
    await expect(target).toBeVisible();
  };

  await stepUntil(change(teacher, 'removed', 'Eve'));
  await expect(eve.getByTestId('member-status')).toContainText('the teacher removed you from the class');

  const linus = await person();
  await joinAs(linus, joinLink, 'Linus');
  await stepUntil(change(teacher, 'joined', 'Linus'));
  await stepUntil(linus.getByTestId('member-status').getByText('replica 2 of 3'));

  await grace.context().browser()!.close();
  await stepUntil(change(teacher, 'left', 'Grace'));
  await stepUntil(linus.getByTestId('member-status').getByText('replica 1 of 2'));
  await button(teacher, 'Train').click();

  await expect(teacher.getByTestId('run-status')).toHaveText('Done', { timeout: 240_000 });
  const records = await downloadRecords(teacher);
  const changes = ofType(records, 'membership');
  expect(changes.map((r) => [r.change, r.name, r.world])).toEqual([['removed', 'Eve', 2], ['joined', 'Linus', 3], ['left', 'Grace', 2]]);
  expect(changes[0].reason).toMatch(/NaN|non-finite|not finite/i);
  const done = ofType(records, 'done')[0];
  expect(done.membershipChanges).toBe(3);
  const steps = ofType(records, 'step');
  expect(steps.at(-1)!.step).toBe(66);
  expect(steps.every((s) => Number.isFinite(s.loss))).toBe(true);
  expect(done.weightsSha256).toMatch(/^[0-9a-f]{64}$/);
  // Ada's page shows the same changes as events.
  await expect(change(ada, 'left', 'Grace')).toBeVisible();
  await expect(change(ada, 'joined', 'Linus')).toBeVisible();
  await expect(ada.getByTestId('run-status')).toHaveText('Done');
});
