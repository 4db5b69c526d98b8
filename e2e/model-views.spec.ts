// End-to-end tests of the model views: network card, draw-a-digit, confusion matrix, test gallery and
// weight images after a small MNIST run; the 2-D decision boundary; the gradient check.
import { expect, test, type Locator, type Page } from '@playwright/test';

const MNIST_LINK = 'v=1&dataset=mnist&layers=16&batch=64&epochs=1&seed=1';
const XOR_LINK = 'v=1&dataset=xor&layers=8&optimizer=adam&lr=0.05&batch=16&epochs=2&seed=3';
const RUN_TIMEOUT = 240_000;
const TEST_DIGITS = 997;

const button = (page: Page, name: string) => page.getByRole('button', { name, exact: true });

async function trainToEnd(page: Page, hash: string): Promise<void> {
  await page.goto(`/#${hash}`);
  await expect(button(page, 'Train')).toBeEnabled();
  await button(page, 'Train').click();
  await expect(page.getByTestId('run-status')).not.toHaveText(/Running|Idle/, { timeout: RUN_TIMEOUT });
  await expect(page.getByRole('alert')).toHaveText('');
  await expect(page.getByTestId('run-status')).toHaveText('Done');
  await expect(page.getByTestId('model-weights-note')).toContainText('final weights');
}

/** RGB pixels of a canvas, as [r, g, b] triples. */
async function pixelsOf(canvas: Locator): Promise<number[][]> {
  const flat = await canvas.evaluate((c: HTMLCanvasElement) => Array.from(c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data));
  const out: number[][] = [];
  for (let i = 0; i < flat.length; i += 4) out.push([flat[i], flat[i + 1], flat[i + 2]]);
  return out;
}

async function expectGradientCheckPasses(page: Page): Promise<void> {
  await button(page, 'Gradient check').click();
  const rows = page.getByTestId('gradcheck-row');
  await expect(rows).toHaveCount(8, { timeout: 60_000 });
  const errors = await rows.evaluateAll((rs) => rs.map((r) => Number(r.getAttribute('data-rel-error'))));
  for (const e of errors) expect(e).toBeLessThan(1e-5);
  await expect(page.getByTestId('gradcheck-summary')).toContainText('Pass');
}

test('after a small MNIST run: drawn digit, confusion matrix, gallery, weight images, gradient check', async ({ page }) => {
  await page.goto(`/#${MNIST_LINK}`);
  await expect(page.getByTestId('network-sizes')).toHaveText('784 → 16 → 10');
  await expect(page.getByTestId('parameter-count')).toHaveText('12,730');
  await expect(page.getByTestId('model-weights-note')).toHaveText('Train to see what the model learns.');

  await trainToEnd(page, MNIST_LINK);

  // A stroke shaped like a "1", drawn with mouse moves.
  const pad = page.getByRole('img', { name: /Digit drawing pad/ });
  await pad.scrollIntoViewIfNeeded();
  const box = (await pad.boundingBox())!;
  await page.mouse.move(box.x + box.width * 0.45, box.y + box.height * 0.15);
  await page.mouse.down();
  for (let i = 1; i <= 12; i++) await page.mouse.move(box.x + box.width * (0.45 + 0.05 * i / 12), box.y + box.height * (0.15 + 0.7 * i / 12));
  await page.mouse.up();
  await expect(page.getByTestId('digit-prediction')).toHaveAttribute('data-value', /^\d$/);
  const probs = await page.getByTestId('digit-probs').locator('li').evaluateAll((ls) => ls.map((l) => Number(l.getAttribute('data-prob'))));
  expect(probs).toHaveLength(10);
  expect(probs.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
  await button(page, 'Clear').click();
  await expect(page.getByTestId('digit-prediction')).not.toHaveAttribute('data-value');

  await page.getByRole('tab', { name: 'Confusion matrix' }).click();
  await expect(page.getByTestId('confusion-matrix')).toHaveAttribute('data-final', 'true', { timeout: 60_000 });
  const cells = await page.getByTestId('confusion-cell').evaluateAll((cs) => cs.map((c) => ({
    row: Number(c.getAttribute('data-row')), col: Number(c.getAttribute('data-col')), count: Number(c.getAttribute('data-count')),
  })));
  expect(cells).toHaveLength(100);
  expect(cells.reduce((s, c) => s + c.count, 0)).toBe(TEST_DIGITS);
  const diagonal = cells.filter((c) => c.row === c.col).reduce((s, c) => s + c.count, 0);
  const accuracy = Number(await page.getByTestId('test-accuracy').getAttribute('data-value'));
  expect(Math.abs(diagonal - accuracy * TEST_DIGITS)).toBeLessThanOrEqual(1);

  await page.getByRole('tab', { name: 'Test digits' }).click();
  const items = page.getByTestId('gallery-item');
  await expect(items).toHaveCount(40);
  await expect(items.first()).toHaveAttribute('data-predicted', /^\d$/);
  const right = await items.evaluateAll((is) => is.filter((i) => i.dataset.predicted === i.dataset.label).length);
  expect(right).toBeGreaterThan(20);
  const digit = await pixelsOf(items.first().locator('canvas'));
  expect(digit.filter(([r]) => r < 128).length).toBeGreaterThan(30);

  await page.getByRole('tab', { name: 'First-layer weights' }).click();
  const images = page.getByTestId('weight-image');
  await expect(images).toHaveCount(16);
  const weights = await pixelsOf(images.first());
  expect(weights.filter(([r, g, b]) => r !== 255 || g !== 255 || b !== 255).length).toBeGreaterThan(300);

  await expectGradientCheckPasses(page);
  await expect(page.getByTestId('gradcheck-summary')).toContainText('weights at step 141');
});

test('a 2-D run draws its decision boundary in the class colours; gradient check on initial weights', async ({ page }) => {
  await page.goto(`/#${XOR_LINK}`);
  await expect(page.getByTestId('network-sizes')).toHaveText('2 → 8 → 2');
  await expectGradientCheckPasses(page);
  await expect(page.getByTestId('gradcheck-summary')).toContainText('initial weights');

  await trainToEnd(page, XOR_LINK);
  const canvas = page.getByTestId('boundary-canvas');
  await expect(canvas).toHaveAttribute('data-step', '100', { timeout: 30_000 });
  const pixels = await pixelsOf(canvas);
  const blue = pixels.filter(([r, , b]) => b - r > 40).length; // class 0, #2563eb
  const orange = pixels.filter(([r, , b]) => r - b > 40).length; // class 1, #e4572e
  expect(blue).toBeGreaterThan(pixels.length * 0.15);
  expect(orange).toBeGreaterThan(pixels.length * 0.15);
});
