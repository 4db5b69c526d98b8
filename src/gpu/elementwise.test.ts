// bias.wgsl, relu.wgsl (forward and backward) and gather.wgsl against the float64
// reference on awkward sizes, outputs poisoned with NaN first.
import { describe, expect, it } from 'vitest';
import { biasAddRef, gatherRef, reluBackwardRef, reluRef } from '../core/reference';
import { randomBelow } from '../core/rng';
import { biasAdd } from './bias';
import { gather } from './gather';
import { reluBackward, reluForward } from './relu';
import { freshRng, poisoned, randomFloats, readFloats, relativeError, run, testContext, upload } from './testing';

const SHAPES: [number, number][] = [[1, 1], [7, 10], [37, 65], [129, 300]];

describe('bias add', () => {
  for (const [B, O] of SHAPES) {
    it(`B=${B} O=${O}`, async () => {
      const ctx = await testContext();
      const { rng, seed } = freshRng();
      const x = randomFloats(rng, B * O);
      const bias = randomFloats(rng, O);
      const y = upload(ctx, x);
      await run(ctx, [biasAdd(ctx, 'test', { bias: upload(ctx, bias), y, B, O })]);
      expect(relativeError(await readFloats(ctx, y, B * O), biasAddRef(x, bias, B, O)), `seed ${seed}`).toBeLessThan(1e-5);
    });
  }
});

describe('relu', () => {
  for (const N of [1, 257, 70_001]) {
    it(`forward N=${N}`, async () => {
      const ctx = await testContext();
      const { rng, seed } = freshRng();
      const x = randomFloats(rng, N);
      x[0] = Math.abs(x[0]) + 0.5; // at least one positive, so the reference norm is never zero
      const buffer = upload(ctx, x);
      await run(ctx, [reluForward(ctx, 'test', { x: buffer, N })]);
      expect(relativeError(await readFloats(ctx, buffer, N), reluRef(x)), `seed ${seed}`).toBeLessThan(1e-5);
    });

    it(`backward N=${N}`, async () => {
      const ctx = await testContext();
      const { rng, seed } = freshRng();
      const activation = reluRef(randomFloats(rng, N));
      activation[0] = 0.75;
      const dy = randomFloats(rng, N);
      const act32 = Float32Array.from(activation);
      const grad = upload(ctx, dy);
      await run(ctx, [reluBackward(ctx, 'test', { activation: upload(ctx, act32), grad, N })]);
      expect(relativeError(await readFloats(ctx, grad, N), reluBackwardRef(dy, act32)), `seed ${seed}`).toBeLessThan(1e-5);
    });
  }
});

describe('gather', () => {
  for (const [N, D, B] of [[5, 1, 3], [100, 784, 37], [1000, 2, 129]]) {
    it(`N=${N} D=${D} B=${B}`, async () => {
      const ctx = await testContext();
      const { rng, seed } = freshRng();
      const data = randomFloats(rng, N * D);
      const labels = Uint32Array.from({ length: N }, () => randomBelow(rng, 10));
      const indices = Uint32Array.from({ length: B }, () => randomBelow(rng, N));
      const x = poisoned(ctx, B * D);
      const y = upload(ctx, new Uint32Array(B).fill(0xffffffff));
      await run(ctx, [gather(ctx, 'test', {
        data: upload(ctx, data), labels: upload(ctx, labels), indices: upload(ctx, indices), x, y, B, D,
      })]);
      const ref = gatherRef(data, labels, D, indices);
      expect(relativeError(await readFloats(ctx, x, B * D), ref.x), `seed ${seed}`).toBeLessThan(1e-5);
      const gotLabels = new Uint32Array((await readFloats(ctx, y, B)).buffer);
      expect([...gotLabels]).toEqual([...ref.y]);
    });
  }
});
