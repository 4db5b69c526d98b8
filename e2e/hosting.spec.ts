// The built lab (dist/, from `npm run build`) as a class gets it: copied to a plain static host under a
// sub-path (GitHub Pages style) that sends no special headers, and opened again with the network gone.
import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize } from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { button } from './run-page';

const SUB_PATH = '/lab/';
const TYPES: Record<string, string> = {
  '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css', '.svg': 'image/svg+xml', '.png': 'image/png',
  '.webmanifest': 'application/manifest+json', '.bin': 'application/octet-stream',
};
const RUN_TIMEOUT = 240_000;

/** Serves dist/ under SUB_PATH with a Content-Type and nothing else: no COOP/COEP, no CSP header. */
async function staticHost(): Promise<{ server: Server; url: string }> {
  const server = createServer(async (req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://host').pathname);
    if (`${path}/` === SUB_PATH) {
      res.writeHead(301, { Location: SUB_PATH }).end();
      return;
    }
    const file = normalize(path.slice(SUB_PATH.length) || 'index.html');
    if (!path.startsWith(SUB_PATH) || file.startsWith('..')) {
      res.writeHead(404).end();
      return;
    }
    try {
      const body = await readFile(join('dist', file));
      res.writeHead(200, { 'Content-Type': TYPES[extname(file)] ?? 'application/octet-stream' }).end(body);
    } catch {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, 'localhost', resolve));
  return { server, url: `http://localhost:${(server.address() as AddressInfo).port}${SUB_PATH}` };
}

let host: { server: Server; url: string };
test.beforeEach(async () => { host = await staticHost(); });
test.afterEach(() => { host.server.close(); host.server.closeAllConnections(); });
// The site as users get it, offline copy included.
test.use({ serviceWorkers: 'allow' });

/** Collects the page's Content-Security-Policy violations, across reloads. */
async function watchPolicy(page: Page): Promise<() => Promise<string[]>> {
  await page.addInitScript(() => {
    const w = window as unknown as { violations: string[] };
    w.violations = [];
    document.addEventListener('securitypolicyviolation', (e) => w.violations.push(`${e.violatedDirective} ${e.blockedURI}`));
  });
  return () => page.evaluate(() => (window as unknown as { violations: string[] }).violations);
}

/** Every response of the page that failed or left the lab's folder. */
function watchRequests(page: Page, url: string): string[] {
  const wrong: string[] = [];
  page.on('response', (r) => {
    // The lab asks `class` beside its page whether a class server served it; a plain host answers 404: no class.
    const classProbe = r.url() === new URL('class', url).href && r.status() === 404;
    if (!classProbe && (r.status() >= 400 || !r.url().startsWith(url))) wrong.push(`${r.status()} ${r.url()}`);
  });
  return wrong;
}

test('from a sub-path of a plain static host the spiral trains, links stay in the folder, and the preview assets resolve', async ({ page, context }) => {
  const wrong = watchRequests(page, host.url);
  await page.goto(`${host.url}#v=1&dataset=spiral&layers=8&batch=64&epochs=1&seed=4`);
  await expect(button(page, 'Train')).toBeEnabled();
  expect(await page.evaluate(() => window.crossOriginIsolated)).toBe(false);
  await button(page, 'Train').click();
  await expect(page.getByTestId('run-status')).toHaveText('Done', { timeout: RUN_TIMEOUT });
  await expect(page.getByTestId('weights-sha256')).toHaveText(/^[0-9a-f]{64}$/);

  // The share link names this folder, and opens the same run there.
  await button(page, 'Share').click();
  const link = await page.getByLabel('Share link', { exact: true }).inputValue();
  expect(link.startsWith(`${host.url}#v=1&dataset=spiral&layers=8&`)).toBe(true);
  const other = await context.newPage();
  await other.goto(link);
  await expect(other.getByLabel('Data set', { exact: true })).toHaveValue('spiral');
  await expect(other.getByLabel('Seed', { exact: true })).toHaveValue('4');

  // Favicon, manifest (and its icon) and the link-preview picture, each under the folder.
  const addresses = await page.evaluate(() => Object.fromEntries(
    ['link[rel="icon"]', 'link[rel="manifest"]', 'meta[property="og:image"]'].map((selector) => {
      const element = document.querySelector(selector)!;
      return [selector, new URL(element.getAttribute('href') ?? element.getAttribute('content')!, document.baseURI).href];
    }),
  ));
  const icon = await page.request.get(addresses['link[rel="icon"]']);
  expect(icon.headers()['content-type']).toBe('image/svg+xml');
  expect((await icon.text()).startsWith('<svg')).toBe(true);
  const manifestUrl = addresses['link[rel="manifest"]'];
  const manifest = await (await page.request.get(manifestUrl)).json() as { name: string; start_url: string; icons: { src: string }[] };
  expect(manifest.name).toBe('WebGPU Training Lab');
  expect(new URL(manifest.start_url, manifestUrl).href).toBe(host.url);
  expect((await page.request.get(new URL(manifest.icons[0].src, manifestUrl).href)).ok()).toBe(true);
  const card = await (await page.request.get(addresses['meta[property="og:image"]'])).body();
  // A PNG's header chunk holds its width and height: the 1200×630 that link previews expect.
  expect([card.readUInt32BE(16), card.readUInt32BE(20)]).toEqual([1200, 630]);
  expect(Object.values(addresses).every((a) => a.startsWith(host.url))).toBe(true);
  expect(wrong).toEqual([]);
});

test('after one visit the lab opens and trains on MNIST with the network gone', async ({ page, context }) => {
  const violations = await watchPolicy(page);
  await page.goto(`${host.url}#v=1&dataset=mnist&layers=8&batch=4096&epochs=1&seed=1`);
  await expect(button(page, 'Train')).toBeEnabled();
  // The service worker takes control once it has cached the whole site, MNIST data included.
  await expect.poll(() => page.evaluate(() => navigator.serviceWorker.controller?.state ?? 'none'), { timeout: 120_000 })
    .toBe('activated');
  expect(await violations()).toEqual([]);

  await context.setOffline(true);
  host.server.close();
  host.server.closeAllConnections();
  const served: string[] = [];
  page.on('response', (r) => served.push(`${r.fromServiceWorker() ? 'cache' : 'network'} ${r.url().slice(host.url.length)}`));
  await page.reload();
  expect(await page.evaluate(() => navigator.onLine)).toBe(false);
  await expect(button(page, 'Train')).toBeEnabled();
  await button(page, 'Train').click();
  await expect(page.getByTestId('run-status')).toHaveText('Done', { timeout: RUN_TIMEOUT });
  await expect(page.getByTestId('test-accuracy')).toHaveText(/^\d+\.\d\d%$/);
  // The page loads the cached test set too, for its gallery of test digits.
  await page.getByRole('tab', { name: 'Test digits' }).click();
  await expect(page.getByTestId('gallery-item')).toHaveCount(40);
  expect(served).toEqual(expect.arrayContaining(['cache ', 'cache data/mnist-train.bin', 'cache data/mnist-test.bin']));
  expect(served.filter((s) => s.startsWith('cache assets/replica-web-'))).toHaveLength(1);
  expect(served.filter((s) => !s.startsWith('cache '))).toEqual([]);
  expect(await violations()).toEqual([]);
});
