// Every matmul kernel the lab chooses among gives the same bits as the register-blocked one, on every
// form and fused epilogue the trainer uses, on awkward shapes (smaller than a tile, not multiples of 4,
// a tile and one more), and matches the float64 reference.
import { describe, expect, it } from 'vitest';
import { MATMUL_KERNELS } from '../core/config';
import { matmulRef } from '../core/reference';
import { matmul, vec4Aligned, type MatmulArgs } from './matmul';
import { freshRng, poisoned, randomFloats, readFloats, relativeError, run, testContext, upload } from './testing';

/** [M, N, K]; [132, 68, 36] is vec4-aligned in every form, so 'blocked' runs matmul_vec4.wgsl there. */
const SHAPES: [number, number, number][] = [[1, 1, 1], [7, 13, 5], [65, 129, 33], [132, 68, 36]];

type Epilogue = 'plain' | 'accumulate' | 'bias' | 'bias+relu' | 'sums' | 'sums+accumulate' | 'mask';
const FORMS: { transA: boolean; transB: boolean; epilogues: Epilogue[] }[] = [
  { transA: false, transB: false, epilogues: ['plain', 'accumulate', 'bias', 'bias+relu'] },
  { transA: true, transB: false, epilogues: ['plain', 'accumulate', 'sums', 'sums+accumulate'] },
  { transA: false, transB: true, epilogues: ['plain', 'accumulate', 'mask'] },
];

const bits = (f: Float32Array) => new Uint32Array(f.buffer, f.byteOffset, f.length);

describe('matmul kernels: the same bits', () => {
  it('the shapes include vec4-aligned and unaligned ones for every form', () => {
    for (const { transA, transB } of FORMS) {
      const aligned = SHAPES.map(([M, N, K]) => vec4Aligned({ M, N, K, transA, transB }));
      expect(aligned).toContain(true);
      expect(aligned).toContain(false);
    }
  });

  for (const { transA, transB, epilogues } of FORMS) {
    for (const epilogue of epilogues) {
      it(`${transA ? 'Aᵀ' : 'A'}·${transB ? 'Bᵀ' : 'B'} ${epilogue}: every kernel, every shape`, async () => {
        const ctx = await testContext();
        const { rng, seed } = freshRng();
        for (const [M, N, K] of SHAPES) {
          const a = randomFloats(rng, M * K);
          const b = randomFloats(rng, K * N);
          const bias = randomFloats(rng, N);
          const start = randomFloats(rng, M * N);
          const startSums = randomFloats(rng, N);
          // A ReLU output: zeros, and a positive entry at every even index (so no product is wholly masked).
          const mask = randomFloats(rng, M * N).map((v, i) => (i % 2 === 0 ? Math.abs(v) + 0.1 : Math.max(v, 0)));
          const accumulate = epilogue.endsWith('accumulate');
          const [ga, gb] = [upload(ctx, a), upload(ctx, b)];
          const outputs = MATMUL_KERNELS.map(() => ({
            c: accumulate ? upload(ctx, start) : poisoned(ctx, M * N),
            sums: epilogue.startsWith('sums') ? (accumulate ? upload(ctx, startSums) : poisoned(ctx, N)) : undefined,
          }));
          const args = (o: (typeof outputs)[number]): MatmulArgs => ({
            a: ga, b: gb, c: o.c, M, N, K, transA, transB, accumulate, columnSums: o.sums,
            bias: epilogue.startsWith('bias') ? upload(ctx, bias) : undefined, relu: epilogue === 'bias+relu',
            mask: epilogue === 'mask' ? upload(ctx, mask) : undefined,
          });
          await run(ctx, MATMUL_KERNELS.map((kernel, i) => matmul(ctx, kernel, args(outputs[i]), kernel)));
          const got = await Promise.all(outputs.map(async (o) => ({
            c: await readFloats(ctx, o.c, M * N), sums: o.sums && await readFloats(ctx, o.sums, N),
          })));
          const where = `seed ${seed}, M=${M} N=${N} K=${K}`;
          const ref = matmulRef(a, b, M, N, K, transA, transB).map((v, i) => {
            const n = i % N;
            if (epilogue.startsWith('bias')) return epilogue === 'bias+relu' ? Math.max(0, v + bias[n]) : v + bias[n];
            if (epilogue === 'mask') return mask[i] > 0 ? v : 0;
            return accumulate ? v + start[i] : v;
          });
          expect(relativeError(got[0].c, ref), where).toBeLessThan(1e-5);
          MATMUL_KERNELS.forEach((kernel, i) => {
            expect(bits(got[i].c), `${kernel}: ${where}`).toEqual(bits(got[0].c));
            if (got[i].sums) expect(bits(got[i].sums!), `${kernel} column sums: ${where}`).toEqual(bits(got[0].sums!));
          });
          if (got[0].sums) {
            const sumsRef = Array.from({ length: N }, (_, n) => (accumulate ? startSums[n] : 0) + b.reduce((s, v, i) => (i % N === n ? s + v : s), 0));
            expect(relativeError(got[0].sums, sumsRef), where).toBeLessThan(1e-5);
          }
        }
      });
    }
  }
});
