// The README's screenshots of the lab at 1280×720, taken from the built page after a small run.
// Regenerate them with DOCS_SCREENSHOTS=1 npx playwright test e2e/screenshots.spec.ts (they go to docs/).
import { expect, test, type Page } from '@playwright/test';

const LINK = 'v=1&dataset=spiral&layers=16,16&optimizer=adam&lr=0.01&batch=32&epochs=4&seed=5&replicas=2';

async function shoot(page: Page, name: string, scrollTo?: string): Promise<void> {
  if (scrollTo) await page.getByTestId(scrollTo).evaluate((el) => el.scrollIntoView({ block: 'start' }));
  else await page.evaluate(() => window.scrollTo(0, 0));
  await page.waitForTimeout(300);
  await page.screenshot({ path: `docs/${name}.png`, scale: 'css' });
}

test('screenshots of the main views for the README', async ({ page, context }) => {
  test.skip(!process.env.DOCS_SCREENSHOTS, 'writes docs/*.png: run with DOCS_SCREENSHOTS=1 to regenerate them');
  test.setTimeout(600_000);
  await page.goto(`/#${LINK}`);
  await page.getByRole('button', { name: 'Train', exact: true }).click();
  await expect(page.getByTestId('run-status')).toHaveText('Done', { timeout: 300_000 });
  await page.waitForTimeout(1500); // the charts' last refresh
  await shoot(page, 'lab-run');
  await shoot(page, 'lab-data-parallel', 'data-parallel');
  await shoot(page, 'lab-math-code', 'explain');

  // Classroom: the shared link with its checksum, controls hidden, presenter mode, reproduced.
  const classroom = await context.newPage();
  await classroom.goto(`${page.url()}&autostart=1&hide=seed,lr,replicas,shard,droplast,allreduce,sync,dataparallel,code`);
  await expect(classroom.getByTestId('run-status')).toHaveText('Done', { timeout: 300_000 });
  await expect(classroom.getByTestId('reproduction')).toContainText('reproduced exactly');
  await classroom.getByRole('button', { name: 'Presenter mode' }).click();
  await classroom.waitForTimeout(1500);
  await shoot(classroom, 'lab-classroom');

  // Pipeline parallelism: the split network and one step's timeline on 4 stages with 8 micro-batches.
  const pipeline = await context.newPage();
  await pipeline.goto('/#v=1&dataset=spiral&layers=128,128,128&optimizer=adam&lr=0.01&batch=64&epochs=2&seed=5&mode=pipeline&stages=4&microbatches=8&autostart=1');
  await expect(pipeline.getByTestId('run-status')).toHaveText('Done', { timeout: 300_000 });
  await pipeline.waitForTimeout(1500);
  await shoot(pipeline, 'lab-pipeline', 'model-parallel');
});
