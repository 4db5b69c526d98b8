// The README's screenshots of a class at 1280×720: the teacher's join link, QR code and roster, the
// shard map naming the members, and a student's page, after a small run of three members (each
// its own Chromium process) on the class server. Regenerate them with
// DOCS_SCREENSHOTS=1 npx playwright test e2e/class-screenshots.spec.ts (they go to docs/).
import { expect, test, type Page } from '@playwright/test';
import { classServer, joinAs, participant, startClassAt } from './class-pages';
import { button } from './run-page';

const LINK = 'v=1&dataset=spiral&layers=16,16&optimizer=adam&lr=0.01&batch=48&epochs=3&seed=5';
const NAMES = ['Ada', 'Grace', 'Alan'];

async function shoot(page: Page, name: string, scrollTo?: string, block: ScrollLogicalPosition = 'start'): Promise<void> {
  if (scrollTo) await page.getByTestId(scrollTo).evaluate((el, at) => el.scrollIntoView({ block: at }), block);
  else await page.evaluate(() => window.scrollTo(0, 0));
  await page.waitForTimeout(300);
  await page.screenshot({ path: `docs/${name}.png`, scale: 'css' });
}

test('screenshots of a class for the README', async () => {
  test.skip(!process.env.DOCS_SCREENSHOTS, 'writes docs/class-*.png: run with DOCS_SCREENSHOTS=1 to regenerate them');
  test.setTimeout(600_000);
  const server = await classServer();
  const people = await Promise.all([0, 1, 2, 3].map(() => participant()));
  try {
    const [teacher, ...members] = people.map((p) => p.page);
    const joinLink = await startClassAt(teacher, server, LINK);
    for (const [k, page] of members.entries()) await joinAs(page, joinLink, NAMES[k]);
    await expect(teacher.getByTestId('class-roster').locator('tbody tr')).toHaveCount(NAMES.length);
    await button(teacher, 'Train').click();
    await expect(teacher.getByTestId('run-status')).toHaveText('Done', { timeout: 300_000 });
    await teacher.waitForTimeout(1500); // the charts' last refresh
    await shoot(teacher, 'class-teacher', 'class-panel');
    await shoot(teacher, 'class-shard-map', 'shard-map', 'center');
    await expect(members[1].getByTestId('run-status')).toHaveText('Done');
    await members[1].waitForTimeout(1500);
    await shoot(members[1], 'class-student');
  } finally {
    await Promise.all(people.map((p) => p.browser.close()));
    await server.close();
  }
});
