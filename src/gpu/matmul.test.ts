// matmul.wgsl against the float64 reference, all three forms, on awkward (non-tile-multiple) shapes.
import { describe, expect, it } from 'vitest';
import { matmulRef } from '../core/reference';
import { matmul } from './matmul';
import { freshRng, poisoned, randomFloats, readFloats, relativeError, run, testContext, upload } from './testing';

const SHAPES: [number, number, number][] = [
  [1, 1, 1],
  [33, 65, 17],
  [37, 10, 784],
  [130, 47, 33],
];

describe('matmul', () => {
  for (const [transA, transB] of [[false, false], [true, false], [false, true]] as const) {
    for (const [M, N, K] of SHAPES) {
      it(`${transA ? 'Aᵀ' : 'A'}·${transB ? 'Bᵀ' : 'B'} M=${M} N=${N} K=${K}`, async () => {
        const ctx = await testContext();
        const { rng, seed } = freshRng();
        const a = randomFloats(rng, M * K);
        const b = randomFloats(rng, K * N);
        const c = poisoned(ctx, M * N);
        await run(ctx, [matmul(ctx, 'test', { a: upload(ctx, a), b: upload(ctx, b), c, M, N, K, transA, transB })]);
        const err = relativeError(await readFloats(ctx, c, M * N), matmulRef(a, b, M, N, K, transA, transB));
        expect(err, `seed ${seed}`).toBeLessThan(1e-5);
      });
    }
    it(`${transA ? 'Aᵀ' : 'A'}·${transB ? 'Bᵀ' : 'B'} accumulates into C (C += op(A)·op(B))`, async () => {
      const ctx = await testContext();
      const { rng, seed } = freshRng();
      const [M, N, K] = [37, 66, 29];
      const a = randomFloats(rng, M * K);
      const b = randomFloats(rng, K * N);
      const start = randomFloats(rng, M * N);
      const c = upload(ctx, start);
      await run(ctx, [matmul(ctx, 'test', { a: upload(ctx, a), b: upload(ctx, b), c, M, N, K, transA, transB, accumulate: true })]);
      const expected = matmulRef(a, b, M, N, K, transA, transB).map((v, i) => v + start[i]);
      expect(relativeError(await readFloats(ctx, c, M * N), expected), `seed ${seed}`).toBeLessThan(1e-5);
    });
  }
});
