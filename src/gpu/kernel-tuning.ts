// Chooses the matmul kernel of each of a run's products (config `kernel`): one forced by name, or with
// `auto` the fastest measured on this adapter on the run's own shapes, within a time budget, kept in a
// cache per adapter (kernel-cache.ts) so the next run on it starts at once. Every kernel sums in the same
// order (matmul-candidates.ts), and each one's output is compared with 'blocked''s on this adapter before it
// may be chosen, so the choice changes the speed of a run and never its numbers.
import { MATMUL_KERNELS, type KernelChoice, type MatmulKernel } from '../core/config';
import type { KernelsRecord, KernelTiming, MatmulProduct } from '../core/metrics';
import type { ModelLayout } from '../core/model';
import { encodeDispatches, readBuffer, storageBuffer, storageBufferFrom, type Dispatch, type GpuContext } from './context';
import { kernelCache } from './kernel-cache';
import { matmul, type MatmulArgs } from './matmul';

/** Wall-clock milliseconds `auto` may spend measuring (pipelines compiled included). */
export const TUNING_BUDGET_MS = 300;

/** A product the training step runs, with the epilogue it fuses (it costs what the trainer pays). */
export interface ProductShape {
  layer: number;
  product: MatmulProduct;
  M: number;
  N: number;
  K: number;
}

/**
 * Each layer's X·W (+bias, ReLU), Xᵀ·δ (+column sums) and, past the first layer, δ·Wᵀ (⊙ ReLU mask) at
 * batch B; the first layer's δ·Wᵀ too with `firstInputGrad` (a pipeline stage sends it to the stage before).
 */
export function trainingProducts(layout: ModelLayout, B: number, firstInputGrad = false): ProductShape[] {
  return layout.layers.flatMap(({ inputs: I, outputs: O }, l) => [
    { layer: l + 1, product: 'forward' as const, M: B, N: O, K: I },
    { layer: l + 1, product: 'dW' as const, M: I, N: O, K: B },
    ...(l > 0 || firstInputGrad ? [{ layer: l + 1, product: 'dX' as const, M: B, N: I, K: O }] : []),
  ]);
}

const shapeKey = (p: ProductShape) => `${p.product} ${p.M}×${p.N}×${p.K}`;

/** The kernel for each layer's products; dX of the first layer is never run. */
export class KernelPlan {
  /** Without a record: 'blocked' for every product. */
  constructor(readonly record: KernelsRecord | null = null) {}

  kernelFor(layer: number, product: MatmulProduct): MatmulKernel {
    return this.record?.products.find((p) => p.layer === layer && p.product === product)?.kernel ?? 'blocked';
  }
}

export function adapterName(device: GPUDevice): string {
  const info = (device as GPUDevice & { adapterInfo?: GPUAdapterInfo }).adapterInfo;
  const name = info ? [info.vendor, info.architecture, info.device, info.description].filter(Boolean).join(' ') : '';
  return name || 'unknown adapter';
}

/** Plans a run's kernels: forced by `choice`, or for `auto` from the cache or by measuring. */
export function planKernels(
  ctx: GpuContext, layout: ModelLayout, B: number, choice: KernelChoice, budgetMs = TUNING_BUDGET_MS,
): Promise<KernelPlan> {
  return planProductKernels(ctx, trainingProducts(layout, B), choice, budgetMs);
}

/**
 * Plans the kernels of `products` (a worker's own: a stage's layers, a tensor slice's shapes). With `auto`
 * the cache is read, and any measuring done, holding the adapter (KernelCache.exclusive).
 */
export async function planProductKernels(
  ctx: GpuContext, products: ProductShape[], choice: KernelChoice, budgetMs = TUNING_BUDGET_MS,
): Promise<KernelPlan> {
  const adapter = adapterName(ctx.device);
  const describe = (kernelOf: (p: ProductShape, i: number) => MatmulKernel, timings: KernelTiming[][]) => products.map((p, i) => ({
    layer: p.layer, product: p.product, shape: `${p.M}×${p.N}×${p.K}`, kernel: kernelOf(p, i), timings: timings[i] ?? [],
  }));
  if (choice !== 'auto') return new KernelPlan({ type: 'kernels', step: 0, adapter, source: 'forced', tuneMs: 0, products: describe(() => choice, []) });
  const cache = kernelCache();
  return cache.exclusive(adapter, async () => {
    const known = await cache.load(adapter);
    const cached = products.map((p) => known[shapeKey(p)]);
    // A choice saved before kernels were checked for their bits is measured again.
    if (cached.every((c) => c && c.timings.every((t) => typeof t.sameBits === 'boolean'))) {
      return new KernelPlan({ type: 'kernels', step: 0, adapter, source: 'cached', tuneMs: 0, products: describe((_, i) => cached[i]!.kernel, cached.map((c) => c!.timings)) });
    }
    const started = performance.now();
    const timings = await measureKernels(ctx, products, budgetMs);
    const fastest = timings.map(fastestSameBits);
    await cache.save(adapter, Object.fromEntries(products.map((p, i) => [shapeKey(p), { kernel: fastest[i], timings: timings[i] }])));
    return new KernelPlan({
      type: 'kernels', step: 0, adapter, source: 'measured', tuneMs: Math.round(performance.now() - started), products: describe((_, i) => fastest[i], timings),
    });
  });
}

/** The fastest kernel whose output had 'blocked''s bits ('blocked' itself always has). */
export function fastestSameBits(timings: readonly KernelTiming[]): MatmulKernel {
  return timings.filter((t) => t.sameBits).reduce((best, x) => (x.ms < best.ms ? x : best)).kernel;
}

/** A product's operands and outputs, each a buffer of its own. */
type TuningArgs = MatmulArgs & { c: GPUBuffer; columnSums?: GPUBuffer };

/** The operands of one product, and its dispatch for a kernel (a deterministic fill, never zeros). */
function productArgs(ctx: GpuContext, p: ProductShape): TuningArgs {
  const fill = (n: number) => storageBufferFrom(ctx.device, 'tuning.operand', Float32Array.from({ length: n }, (_, i) => ((i * 7919) % 1000) / 1000 - 0.5));
  const { M, N, K } = p;
  const base = { c: storageBuffer(ctx.device, 'tuning.c', M * N * 4), M, N, K };
  if (p.product === 'forward') return { ...base, a: fill(M * K), b: fill(K * N), bias: fill(N), relu: true };
  if (p.product === 'dW') return { ...base, a: fill(K * M), b: fill(K * N), transA: true, columnSums: fill(N) };
  return { ...base, a: fill(M * K), b: fill(N * K), transB: true, mask: fill(M * N) };
}

/** Milliseconds from submitting `repeat` copies of a dispatch to the queue being idle (the GPU bench times with it too). */
export async function timeDispatch(device: GPUDevice, dispatch: Dispatch, repeat: number): Promise<number> {
  const encoder = device.createCommandEncoder({ label: 'kernel tuning' });
  const pass = encoder.beginComputePass();
  encodeDispatches(pass, Array.from({ length: repeat }, () => dispatch));
  pass.end();
  const start = performance.now();
  device.queue.submit([encoder.finish()]);
  await device.queue.onSubmittedWorkDone();
  return performance.now() - start;
}

/** The bytes a product writes: C, and the column sums (db) of Xᵀ·δ. */
async function productOutput(device: GPUDevice, a: TuningArgs): Promise<Uint8Array> {
  const c = new Uint8Array(await readBuffer(device, a.c));
  if (!a.columnSums) return c;
  const sums = new Uint8Array(await readBuffer(device, a.columnSums));
  const both = new Uint8Array(c.length + sums.length);
  both.set(c);
  both.set(sums, c.length);
  return both;
}

const sameBytes = (x: Uint8Array, y: Uint8Array) => x.length === y.length && x.every((b, i) => b === y[i]);

/**
 * Times each kernel on each product, 'blocked' first: a first run, then enough repeats to fill about
 * 4 ms; then compares its output with 'blocked''s. A kernel is left out once what the previous one cost
 * (compiling its pipelines included) would take the measurement past the budget, so a slow adapter tries
 * fewer kernels.
 */
export async function measureKernels(ctx: GpuContext, products: ProductShape[], budgetMs: number): Promise<KernelTiming[][]> {
  const args = products.map((p) => productArgs(ctx, p));
  const timings: KernelTiming[][] = products.map(() => []);
  const reference: Uint8Array[] = [];
  const started = performance.now();
  let lastCost = 0;
  for (const kernel of MATMUL_KERNELS) {
    const kernelStart = performance.now();
    if (kernel !== 'blocked' && kernelStart - started + lastCost > budgetMs) break;
    const build = () => args.map((a, i) => matmul(ctx, `tuning ${kernel} ${shapeKey(products[i])}`, a, kernel));
    await ctx.precompile(build);
    const dispatches = build();
    for (const [i, dispatch] of dispatches.entries()) {
      const first = await timeDispatch(ctx.device, dispatch, 1);
      const repeat = Math.max(1, Math.min(64, Math.floor(4 / Math.max(first, 1e-3))));
      const ms = repeat === 1 ? first : (await timeDispatch(ctx.device, dispatch, repeat)) / repeat;
      const { M, N, K } = products[i];
      const output = await productOutput(ctx.device, args[i]);
      if (kernel === 'blocked') reference[i] = output;
      timings[i].push({ kernel, ms: Number(ms.toFixed(4)), gflops: Number(((2 * M * N * K) / (ms * 1e6)).toFixed(3)), sameBits: sameBytes(output, reference[i]) });
    }
    lastCost = performance.now() - kernelStart;
  }
  for (const a of args) for (const b of [a.a, a.b, a.c, a.bias, a.columnSums, a.mask]) if (b && 'destroy' in b) b.destroy();
  return timings;
}
