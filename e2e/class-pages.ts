// What the class tests do with the class server and the pages: start the server on the built lab, give
// each participant (the teacher, every member) a Chromium process of its own, open a class, and join it.
import { resolve } from 'node:path';
import { chromium, expect, test, type Browser, type Page } from '@playwright/test';
import config from '../playwright.config';
import { startClassServer, type ClassServer } from '../src/class/server';
import { button } from './run-page';

/** The built lab the class server serves: dist/ as `npm test` builds it, or CLASS_DIST (a build of one's own, relative or absolute). */
const ROOT = resolve(process.env.CLASS_DIST ?? 'dist');
/** Away from vite preview's 4173, which the other Chromium tests use. */
const PORT = Number(process.env.CLASS_PORT ?? 4281);

export function classServer(): Promise<ClassServer> {
  return startClassServer({ root: ROOT, host: '127.0.0.1', port: PORT });
}

/**
 * A participant's own browser: a separate Chromium process, launched as playwright.config.ts launches them
 * (`webgpu: false` leaves out the flag that turns WebGPU on here).
 */
export async function participant({ webgpu = true } = {}): Promise<{ browser: Browser; page: Page }> {
  const options = config.use?.launchOptions ?? {};
  const browser = await chromium.launch({ ...options, args: options.args?.filter((a) => webgpu || a !== '--enable-unsafe-webgpu') });
  const context = await browser.newContext({ viewport: config.use?.viewport ?? undefined, serviceWorkers: 'block', acceptDownloads: true });
  return { browser, page: await context.newPage() };
}

/**
 * A class server for the spec's tests and the participants' browsers, started before its tests and closed
 * after them: `person()` opens one more participant's page.
 */
export function classroom(): { server: () => ClassServer; person: () => Promise<Page> } {
  let server: ClassServer | undefined;
  const browsers: Browser[] = [];
  test.beforeAll(async () => { server = await classServer(); });
  test.afterAll(async () => {
    await Promise.all(browsers.map((b) => b.close().catch(() => {})));
    await server?.close();
  });
  return {
    server: () => server!,
    person: async () => {
      const { browser, page } = await participant();
      browsers.push(browser);
      return page;
    },
  };
}

/** Opens the lab at `config` on the class server, starts a class, and returns its join link. */
export async function startClassAt(page: Page, server: ClassServer, link: string): Promise<string> {
  await page.goto(`${server.url}#${link}`);
  await button(page, 'Start a class').click();
  const field = page.getByLabel('Join link', { exact: true });
  await expect(field).toHaveValue(/#join=/);
  return field.inputValue();
}

/** Opens the join link as `name` and joins; the page says it waits for the teacher's run. */
export async function joinAs(page: Page, joinLink: string, name: string): Promise<void> {
  await page.goto(joinLink);
  await page.getByLabel('Your name', { exact: true }).fill(name);
  await button(page, 'Join').click();
  await expect(page.getByTestId('member-status')).toContainText('Joined');
}
