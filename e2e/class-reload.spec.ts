// A teacher who reloads the page keeps the class, in Chromium on the class server: the members stay joined
// and hear that the teacher left and came back, the reloaded page shows the same join link and roster, and
// a run trains on the members to the end.
import { expect, test } from '@playwright/test';
import { classroom, joinAs, startClassAt } from './class-pages';
import { button } from './run-page';

/** 800 spiral points in global batches of 64: 12 steps. */
const LINK = 'v=1&dataset=spiral&layers=8&lr=0.01&batch=64&epochs=1&seed=3&droplast=1';

const { server, person } = classroom();

test('a reloaded teacher page teaches the same class again, and the members train its next run', async () => {
  const teacher = await person();
  const joinLink = await startClassAt(teacher, server(), LINK);
  const students = [await person(), await person()];
  await joinAs(students[0], joinLink, 'Ada');
  await joinAs(students[1], joinLink, 'Grace');
  const roster = teacher.getByTestId('class-roster');
  await expect(roster.locator('tr[data-member]')).toHaveCount(2);

  await teacher.reload();
  await expect(teacher.getByLabel('Join link', { exact: true })).toHaveValue(joinLink);
  await expect(roster.locator('tr[data-member="Ada"]')).toBeVisible();
  await expect(roster.locator('tr[data-member="Grace"]')).toBeVisible();
  for (const student of students) {
    await expect(student.getByTestId('class-events')).toContainText('The teacher left');
    await expect(student.getByTestId('class-events')).toContainText('The teacher is back');
  }
  // The token stays out of the address bar, and the run's settings come back from the share link there.
  expect(teacher.url()).not.toContain('teach=');
  await expect(teacher.getByLabel('Data set', { exact: true })).toHaveValue('spiral');

  await button(teacher, 'Train').click();
  await expect(teacher.getByTestId('run-status')).toHaveText('Done', { timeout: 240_000 });
  await expect(students[0].getByTestId('run-status')).toHaveText('Done');
});
