// kernel=auto on this machine's adapter: every kernel timed on every product of a run (given the time),
// its output compared with blocked's (the same bits here), the fastest of those with the same bits chosen
// for each, kept in the cache and found there by the next run; a forced kernel is used everywhere without
// measuring.
import { describe, expect, it } from 'vitest';
import { MATMUL_KERNELS, type MatmulKernel } from '../core/config';
import { modelLayout } from '../core/model';
import { setKernelCache, type CachedChoices, type KernelCache } from './kernel-cache';
import { fastestSameBits, KernelPlan, planKernels, trainingProducts } from './kernel-tuning';
import { testContext } from './testing';

function recordingCache(): KernelCache & { saved: CachedChoices[] } {
  const saved: CachedChoices[] = [];
  return {
    saved,
    load: async () => Object.assign({}, ...saved) as CachedChoices,
    save: async (_adapter, choices) => { saved.push(choices); },
    exclusive: (_adapter, work) => work(),
  };
}

describe('kernel tuning', () => {
  const layout = modelLayout([20, 12, 3]);

  it('lists each layer\'s forward and dW, and dX past the first layer', () => {
    expect(trainingProducts(layout, 8).map((p) => `${p.layer} ${p.product} ${p.M}×${p.N}×${p.K}`)).toEqual([
      '1 forward 8×12×20', '1 dW 20×12×8', '2 forward 8×3×12', '2 dW 12×3×8', '2 dX 8×12×3',
    ]);
  });

  it('auto times every kernel on every product, picks the fastest of each, and the next run reads the cache', async () => {
    const ctx = await testContext();
    const cache = recordingCache();
    setKernelCache(cache);
    const measured = await planKernels(ctx, layout, 8, 'auto', Infinity);
    expect(measured.record!.source).toBe('measured');
    for (const p of measured.record!.products) {
      expect(p.timings.map((t) => t.kernel)).toEqual([...MATMUL_KERNELS]);
      // Every kernel's output, C and the column sums, compared byte for byte with blocked's on this adapter.
      expect(p.timings.filter((t) => !t.sameBits), `${p.layer} ${p.product}`).toEqual([]);
      const fastest = p.timings.reduce((best, t) => (t.ms < best.ms ? t : best));
      expect(p.kernel, `${p.layer} ${p.product}`).toBe(fastest.kernel);
      expect(measured.kernelFor(p.layer, p.product)).toBe(p.kernel);
    }
    expect(cache.saved).toHaveLength(1);
    const again = await planKernels(ctx, layout, 8, 'auto', Infinity);
    expect(again.record!.source).toBe('cached');
    expect(again.record!.products.map((p) => p.kernel)).toEqual(measured.record!.products.map((p) => p.kernel));
    expect(cache.saved).toHaveLength(1);
  });

  it('a kernel whose output has other bits than blocked\'s on the adapter is never chosen, however fast', () => {
    const timing = (kernel: MatmulKernel, ms: number, sameBits: boolean) => ({ kernel, ms, gflops: 1 / ms, sameBits });
    expect(fastestSameBits([timing('blocked', 3, true), timing('tile64-4', 1, false), timing('tile64-8', 2, true)])).toBe('tile64-8');
    expect(fastestSameBits([timing('blocked', 3, true), timing('tile64-4', 1, false)])).toBe('blocked');
  });

  it('a forced kernel runs every product, measured by nobody; without a plan every product runs blocked', async () => {
    const ctx = await testContext();
    const forced = await planKernels(ctx, layout, 8, 'tile64-8');
    expect(forced.record!.source).toBe('forced');
    expect(forced.record!.products.every((p) => p.kernel === 'tile64-8' && p.timings.length === 0)).toBe(true);
    expect(new KernelPlan().kernelFor(1, 'forward')).toBe('blocked');
  });
});
