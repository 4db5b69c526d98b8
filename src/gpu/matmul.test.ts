// matmul.wgsl and matmul_vec4.wgsl against the float64 reference, all three forms, on awkward
// (non-tile-multiple) shapes, with and without the alignment that selects the vec4 kernel, and the
// fused epilogues (bias+ReLU; the bias gradient's column sums; the ReLU backward mask) against the
// reference and against the separate kernels' bits.
import { describe, expect, it } from 'vitest';
import { matmulRef } from '../core/reference';
import { biasAdd } from './bias';
import { matmul, matmulWith, vec4Aligned } from './matmul';
import { reluBackward, reluForward } from './relu';
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

describe('matmul with the fused bias (+ReLU) epilogue', () => {
  // One shape per kernel: [37, 10, 33] runs matmul.wgsl, [44, 68, 36] matmul_vec4.wgsl.
  for (const [M, N, K] of [[37, 10, 33], [44, 68, 36]]) {
    for (const relu of [false, true]) {
      it(`act(A·B + bias), ${relu ? 'ReLU' : 'identity'}, M=${M} N=${N} K=${K}: the reference, and the bits of matmul → bias → ReLU`, async () => {
        const ctx = await testContext();
        const { rng, seed } = freshRng();
        const [a, b, bias] = [randomFloats(rng, M * K), randomFloats(rng, K * N), randomFloats(rng, N)];
        const [ga, gb, gbias] = [upload(ctx, a), upload(ctx, b), upload(ctx, bias)];
        const [fused, separate] = [poisoned(ctx, M * N), poisoned(ctx, M * N)];
        await run(ctx, [
          matmul(ctx, 'fused', { a: ga, b: gb, c: fused, M, N, K, bias: gbias, relu }),
          matmul(ctx, 'plain', { a: ga, b: gb, c: separate, M, N, K }),
          biasAdd(ctx, 'bias', { bias: gbias, y: separate, B: M, O: N }),
          ...(relu ? [reluForward(ctx, 'relu', { x: separate, N: M * N })] : []),
        ]);
        const expected = matmulRef(a, b, M, N, K, false, false).map((v, i) => (relu ? Math.max(0, v + bias[i % N]) : v + bias[i % N]));
        const got = await readFloats(ctx, fused, M * N);
        expect(relativeError(got, expected), `seed ${seed}`).toBeLessThan(1e-5);
        if (relu) expect(got.some((v) => v === 0), 'some outputs clipped').toBe(true);
        expect(new Uint32Array(got.buffer)).toEqual(new Uint32Array((await readFloats(ctx, separate, M * N)).buffer));
      });
    }
  }

  it('refuses a bias with accumulation, and a ReLU without a bias', async () => {
    const ctx = await testContext();
    const x = upload(ctx, new Float32Array(16));
    const args = { a: x, b: x, c: poisoned(ctx, 16), M: 4, N: 4, K: 4 };
    expect(() => matmul(ctx, 'acc', { ...args, bias: x, accumulate: true })).toThrow(/bias epilogue cannot accumulate/);
    expect(() => matmul(ctx, 'relu', { ...args, relu: true })).toThrow(/pass the bias too/);
  });
});

describe('matmul Aᵀ·B with the fused column sums (dW = Xᵀ·δ with db = Σ_rows δ)', () => {
  // [37, 10, 33] runs matmul.wgsl, [36, 20, 33] matmul_vec4.wgsl.
  for (const [M, N, K] of [[37, 10, 33], [36, 20, 33]]) {
    for (const accumulate of [false, true]) {
      it(`M=${M} N=${N} K=${K}${accumulate ? ', accumulating' : ''}: the reference, and the bits of an in-order float32 sum`, async () => {
        const ctx = await testContext();
        const { rng, seed } = freshRng();
        const [a, b] = [randomFloats(rng, K * M), randomFloats(rng, K * N)];
        const [startC, startSums] = [randomFloats(rng, M * N), randomFloats(rng, N)];
        const [ga, gb] = [upload(ctx, a), upload(ctx, b)];
        const c = accumulate ? upload(ctx, startC) : poisoned(ctx, M * N);
        const sums = accumulate ? upload(ctx, startSums) : poisoned(ctx, N);
        await run(ctx, [matmul(ctx, 'dW+db', { a: ga, b: gb, c, M, N, K, transA: true, accumulate, columnSums: sums })]);
        const sumsRef = Array.from({ length: N }, (_, n) => (accumulate ? startSums[n] : 0) + b.reduce((s, v, i) => (i % N === n ? s + v : s), 0));
        const cRef = matmulRef(a, b, M, N, K, true, false).map((v, i) => v + (accumulate ? startC[i] : 0));
        const got = await readFloats(ctx, sums, N);
        expect(relativeError(got, sumsRef), `seed ${seed}`).toBeLessThan(1e-5);
        expect(relativeError(await readFloats(ctx, c, M * N), cRef), `seed ${seed}`).toBeLessThan(1e-5);
        // Rows summed in order 0..K−1 in float32, then added to what was there: the weights' exact bits.
        const inOrder = Float32Array.from({ length: N }, (_, n) => {
          let sum = 0;
          for (let k = 0; k < K; k++) sum = Math.fround(sum + b[k * N + n]);
          return accumulate ? Math.fround(startSums[n] + sum) : sum;
        });
        expect(new Uint32Array(got.buffer)).toEqual(new Uint32Array(inOrder.buffer));
      });
    }
  }

  it('refuses column sums outside Aᵀ·B', async () => {
    const ctx = await testContext();
    const x = upload(ctx, new Float32Array(16));
    expect(() => matmul(ctx, 'sums', { a: x, b: x, c: poisoned(ctx, 16), M: 4, N: 4, K: 4, columnSums: poisoned(ctx, 4) })).toThrow(/only into Aᵀ·B/);
  });
});

describe('matmul A·Bᵀ with the fused ReLU mask (δ_prev = (δ·Wᵀ) ⊙ relu′)', () => {
  // [37, 10, 33] runs matmul.wgsl, [37, 33, 64] matmul_vec4.wgsl.
  for (const [M, N, K] of [[37, 10, 33], [37, 33, 64]]) {
    it(`M=${M} N=${N} K=${K}: the reference, and the bits of matmul → relu_backward`, async () => {
      const ctx = await testContext();
      const { rng, seed } = freshRng();
      const [a, b] = [randomFloats(rng, M * K), randomFloats(rng, N * K)];
      // A ReLU output: about half zeros, the rest positive.
      const activation = randomFloats(rng, M * N).map((v) => Math.max(v, 0));
      const [ga, gb, gm] = [upload(ctx, a), upload(ctx, b), upload(ctx, activation)];
      const [fused, separate] = [poisoned(ctx, M * N), poisoned(ctx, M * N)];
      await run(ctx, [
        matmul(ctx, 'dX masked', { a: ga, b: gb, c: fused, M, N, K, transB: true, mask: gm }),
        matmul(ctx, 'dX', { a: ga, b: gb, c: separate, M, N, K, transB: true }),
        reluBackward(ctx, 'mask', { activation: gm, grad: separate, N: M * N }),
      ]);
      const expected = matmulRef(a, b, M, N, K, false, true).map((v, i) => (activation[i] > 0 ? v : 0));
      const got = await readFloats(ctx, fused, M * N);
      expect(relativeError(got, expected), `seed ${seed}`).toBeLessThan(1e-5);
      expect(got.filter((v) => v === 0).length, 'masked entries are zero').toBe(activation.filter((v) => v <= 0).length);
      expect(new Uint32Array(got.buffer)).toEqual(new Uint32Array((await readFloats(ctx, separate, M * N)).buffer));
    });
  }

  it('refuses a mask with a bias or with accumulation', async () => {
    const ctx = await testContext();
    const x = upload(ctx, new Float32Array(16));
    const args = { a: x, b: x, c: poisoned(ctx, 16), M: 4, N: 4, K: 4, mask: x };
    expect(() => matmul(ctx, 'bias', { ...args, bias: x })).toThrow(/plain product/);
    expect(() => matmul(ctx, 'acc', { ...args, accumulate: true })).toThrow(/plain product/);
  });
});
