// The GPU bench's matmul part: C = A·B at N×N×N with each kernel the lab chooses among, timed on the
// bench's device, and each kernel's C compared bit for bit with the register-blocked kernel's (the
// lab's promise that the choice never changes a run's numbers, checked on this adapter).
import { MATMUL_KERNELS, type MatmulKernel } from '../../src/core/config';
import { createContext, readBuffer, storageBuffer, storageBufferFrom } from '../../src/gpu/context';
import { matmul } from '../../src/gpu/matmul';
import { timeDispatch } from '../../src/gpu/kernel-tuning';

export interface MatmulRow {
  n: number;
  kernel: MatmulKernel;
  ms: number;
  gflops: number;
  /** C has exactly the bits of the 'blocked' kernel's C. */
  sameBits: boolean;
}

/** Each kernel at N×N×N: a first run sizes the repeats to about `sampleMs`, then the best of two samples. */
export async function benchMatmul(device: GPUDevice, n: number, sampleMs: number, onRow: (r: MatmulRow) => void): Promise<MatmulRow[]> {
  const ctx = createContext(device);
  const fill = Float32Array.from({ length: n * n }, (_, i) => ((i * 7919) % 1000) / 1000 - 0.5);
  const [a, b] = [storageBufferFrom(device, 'bench.a', fill), storageBufferFrom(device, 'bench.b', fill)];
  const c = storageBuffer(device, 'bench.c', n * n * 4);
  const rows: MatmulRow[] = [];
  let reference: Uint32Array | null = null;
  for (const kernel of MATMUL_KERNELS) {
    const build = () => matmul(ctx, `bench ${kernel} ${n}`, { a, b, c, M: n, N: n, K: n }, kernel);
    await ctx.precompile(build);
    const dispatch = build();
    const first = await timeDispatch(device, dispatch, 1);
    const bits = new Uint32Array(await readBuffer(device, c));
    reference ??= bits;
    const repeat = Math.max(1, Math.min(64, Math.round(sampleMs / Math.max(first, 0.01))));
    const ms = repeat === 1 && first > 4 * sampleMs ? first : Math.min(await timeDispatch(device, dispatch, repeat), await timeDispatch(device, dispatch, repeat)) / repeat;
    const row = { n, kernel, ms, gflops: (2 * n ** 3) / (ms * 1e6), sameBits: bits.every((v, i) => v === reference![i]) };
    onRow(row);
    rows.push(row);
  }
  for (const buffer of [a, b, c]) buffer.destroy();
  return rows;
}
