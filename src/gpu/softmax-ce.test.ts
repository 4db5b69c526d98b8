// softmax_ce.wgsl: loss sum, correct count and the fused backward (p − onehot)·scale against the
// float64 reference, including rows with huge logits and more rows than threads; and a step's second
// micro-batch adding its loss to the first's.
import { describe, expect, it } from 'vitest';
import { softmaxCeRef } from '../core/reference';
import { randomBelow } from '../core/rng';
import { readBuffer } from './context';
import { decodeLossStats, LOSS_STATS_BYTES, softmaxCe } from './softmax-ce';
import { freshRng, poisoned, randomFloats, readFloats, relativeError, run, testContext, upload } from './testing';

describe('softmax + cross-entropy', () => {
  for (const [B, C, logitScale] of [[1, 2, 1], [37, 10, 4], [517, 10, 8], [65, 3, 1000]]) {
    it(`B=${B} C=${C} logits ±${logitScale}`, async () => {
      const ctx = await testContext();
      const { rng, seed } = freshRng();
      const logits = randomFloats(rng, B * C, logitScale);
      const labels = Uint32Array.from({ length: B }, () => randomBelow(rng, C));
      const scale = 1 / (B + 3);
      const dlogits = poisoned(ctx, B * C);
      const stats = poisoned(ctx, LOSS_STATS_BYTES / 4);
      await run(ctx, [softmaxCe(ctx, 'test', {
        logits: upload(ctx, logits), labels: upload(ctx, labels), dlogits, stats, B, C, scale,
      })]);
      const ref = softmaxCeRef(logits, labels, B, C, scale);
      const got = decodeLossStats(await readBuffer(ctx.device, stats));
      expect(Math.abs(got.lossSum - ref.lossSum) / Math.abs(ref.lossSum), `seed ${seed}`).toBeLessThan(1e-5);
      expect(got.correct, `seed ${seed}`).toBe(ref.correct);
      expect(relativeError(await readFloats(ctx, dlogits, B * C), ref.dlogits), `seed ${seed}`).toBeLessThan(1e-5);
    });
  }

  it('accumulate: a second batch adds its loss and count to the first\'s', async () => {
    const ctx = await testContext();
    const { rng, seed } = freshRng();
    const [B, C] = [23, 5];
    const batches = [0, 1].map(() => ({
      logits: randomFloats(rng, B * C, 3), labels: Uint32Array.from({ length: B }, () => randomBelow(rng, C)),
    }));
    const stats = poisoned(ctx, LOSS_STATS_BYTES / 4);
    await run(ctx, batches.map(({ logits, labels }, k) => softmaxCe(ctx, `batch ${k}`, {
      logits: upload(ctx, logits), labels: upload(ctx, labels), dlogits: poisoned(ctx, B * C), stats, B, C, scale: 1, accumulate: k > 0,
    })));
    const refs = batches.map(({ logits, labels }) => softmaxCeRef(logits, labels, B, C, 1));
    const got = decodeLossStats(await readBuffer(ctx.device, stats));
    const lossSum = refs[0].lossSum + refs[1].lossSum;
    expect(Math.abs(got.lossSum - lossSum) / lossSum, `seed ${seed}`).toBeLessThan(1e-5);
    expect(got.correct, `seed ${seed}`).toBe(refs[0].correct + refs[1].correct);
  });
});
