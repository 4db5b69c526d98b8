// The built site's Content-Security-Policy (no inline script, no eval) and its network boundary: a
// whole run makes no request beyond its own origin and violates no policy; link values never become HTML.
import { expect, test } from '@playwright/test';

test('CSP is declared, a run violates none of it, and every request stays on the origin', async ({ page, baseURL }) => {
  const origin = new URL(baseURL!).origin;
  const foreign: string[] = [];
  page.on('request', (request) => {
    const url = new URL(request.url());
    if (url.origin !== origin && url.protocol !== 'blob:' && url.protocol !== 'data:') foreign.push(request.url());
  });
  await page.addInitScript(() => {
    const w = window as unknown as { violations: string[] };
    w.violations = [];
    document.addEventListener('securitypolicyviolation', (e) => w.violations.push(`${e.violatedDirective} ${e.blockedURI}`));
  });
  // A link whose values carry markup: refused by key, and never rendered as HTML.
  await page.goto('/#v=1&dataset=xor&layers=8&epochs=1&seed=2&replicas=2&lr=%3Cimg%20src%3Dx%20onerror%3Dalert(1)%3E');
  await expect(page.getByRole('alert')).toContainText('lr');
  expect(await page.locator('img[src="x"]').count()).toBe(0);

  const csp = await page.locator('meta[http-equiv="Content-Security-Policy"]').getAttribute('content');
  expect(csp).toContain("script-src 'self'");
  expect(csp).not.toContain('unsafe-inline');
  expect(csp).not.toContain('unsafe-eval');
  expect(csp).toContain("connect-src 'self'");

  await page.goto('/#v=1&dataset=xor&layers=8&epochs=1&seed=2&replicas=2&autostart=1');
  await expect(page.getByTestId('weights-sha256')).toHaveText(/^[0-9a-f]{64}$/, { timeout: 240_000 });
  expect(await page.evaluate(() => (window as unknown as { violations: string[] }).violations)).toEqual([]);
  expect(foreign).toEqual([]);
});
