// matmul.wgsl and matmul_vec4.wgsl against the float64 reference, all three forms, on awkward
// (non-tile-multiple) shapes, with and without the alignment that selects the vec4 kernel.
import { describe, expect, it } from 'vitest';
import { matmulRef } from '../core/reference';
import { matmul, matmulWith, vec4Aligned } from './matmul';
import { freshRng, poisoned, randomFloats, readFloats, relativeError, run, testContext, upload } from './testing';

const SHAPES: [number, number, number][] = [
  [1, 1, 1],
  [33, 65, 17],
  [37, 10, 784],
  [130, 47, 33],
  // Multiples of 4 where each form reads vec4 (Aᵀ·B with an odd K; A·Bᵀ with odd M and N), and the MNIST layer.
  [36, 20, 33],
  [37, 33, 64],
  [44, 68, 36],
  [128, 64, 784],
];

describe('matmul', () => {
  for (const [transA, transB] of [[false, false], [true, false], [false, true]] as const) {
    it(`${transA ? 'Aᵀ' : 'A'}·${transB ? 'Bᵀ' : 'B'}: the shapes run both kernels`, () => {
      const aligned = SHAPES.map(([M, N, K]) => vec4Aligned({ M, N, K, transA, transB }));
      expect(aligned).toContain(true);
      expect(aligned).toContain(false);
    });
    for (const [M, N, K] of SHAPES) {
      const kernel = vec4Aligned({ M, N, K, transA, transB }) ? 'vec4' : 'scalar';
      it(`${transA ? 'Aᵀ' : 'A'}·${transB ? 'Bᵀ' : 'B'} M=${M} N=${N} K=${K} (${kernel})`, async () => {
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
    for (const [M, N, K] of [[37, 66, 29], [36, 68, 32]]) it(`${transA ? 'Aᵀ' : 'A'}·${transB ? 'Bᵀ' : 'B'} M=${M} N=${N} K=${K} accumulates into C (C += op(A)·op(B))`, async () => {
      const ctx = await testContext();
      const { rng, seed } = freshRng();
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

describe('matmul_vec4.wgsl against matmul.wgsl', () => {
  for (const [transA, transB] of [[false, false], [true, false], [false, true]] as const) {
    it(`${transA ? 'Aᵀ' : 'A'}·${transB ? 'Bᵀ' : 'B'}: the same bits (so the fast path keeps every run's checksum)`, async () => {
      const ctx = await testContext();
      const { rng, seed } = freshRng();
      const [M, N, K] = [44, 68, 36];
      const a = upload(ctx, randomFloats(rng, M * K));
      const b = upload(ctx, randomFloats(rng, K * N));
      const [fast, scalar] = [poisoned(ctx, M * N), poisoned(ctx, M * N)];
      await run(ctx, [
        matmulWith('vec4', ctx, 'vec4', { a, b, c: fast, M, N, K, transA, transB }),
        matmulWith('scalar', ctx, 'scalar', { a, b, c: scalar, M, N, K, transA, transB }),
      ]);
      const bits = async (c: GPUBuffer) => new Uint32Array((await readFloats(ctx, c, M * N)).buffer);
      expect(await bits(fast), `seed ${seed}`).toEqual(await bits(scalar));
    });
  }
});
