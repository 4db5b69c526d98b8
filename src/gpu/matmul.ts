// Typed wrapper for shaders/matmul.wgsl: C[M, N] = op(A)·op(B) with optional transposes, or C += …, or
// with an epilogue fused in (bias and ReLU; the bias gradient's column sums; a ReLU backward mask).
// Which kernel runs it is the caller's choice (matmul-candidates.ts: 'blocked' by default, or a tiled
// kernel); every kernel ends with matmul_store.wgsl, the epilogues, and all give the same bits.
import type { MatmulKernel } from '../core/config';
import { bindGroup, storageBuffer, uniformBuffer, type Dispatch, type GpuContext } from './context';
import { programFor, programGrid, programSource, vec4Aligned, type MatmulProgram } from './matmul-candidates';

export { vec4Aligned } from './matmul-candidates';

export interface MatmulArgs {
  /** [M, K], or [K, M] when transA. */
  a: GPUBuffer | GPUBufferBinding;
  /** [K, N], or [N, K] when transB. */
  b: GPUBuffer | GPUBufferBinding;
  /** [M, N] */
  c: GPUBuffer | GPUBufferBinding;
  M: number;
  N: number;
  K: number;
  transA?: boolean;
  transB?: boolean;
  /** C += op(A)·op(B) instead of C = op(A)·op(B). */
  accumulate?: boolean;
  /** Fused epilogue: C = op(A)·op(B) + bias [N], then ReLU when `relu`. */
  bias?: GPUBuffer | GPUBufferBinding;
  relu?: boolean;
  /** Fused into Aᵀ·B (dW = Xᵀ·δ): columnSums [N] = Σ_k B[k, ·] (+= when accumulating), the bias gradient. */
  columnSums?: GPUBuffer | GPUBufferBinding;
  /** Fused ReLU backward: C = op(A)·op(B) where mask [M, N] (the ReLU's output) > 0, else 0. */
  mask?: GPUBuffer | GPUBufferBinding;
}

const spareSums = new WeakMap<GPUDevice, GPUBuffer>();

/** One 16-byte buffer per device for the sums binding of matmuls without column sums. */
function unusedSums(device: GPUDevice): GPUBuffer {
  let buffer = spareSums.get(device);
  if (!buffer) {
    buffer = storageBuffer(device, 'matmul.unused-sums', 16);
    spareSums.set(device, buffer);
  }
  return buffer;
}

/** C = op(A)·op(B) with `kernel` (the register-blocked one unless the run chose another). */
export function matmul(ctx: GpuContext, label: string, args: MatmulArgs, kernel: MatmulKernel = 'blocked'): Dispatch {
  return matmulWith(programFor(kernel, args), ctx, label, args);
}

/** One program ('vec4' only where vec4Aligned): for the tests and the benchmarks, which compare them. */
export function matmulWith(program: MatmulProgram, ctx: GpuContext, label: string, args: MatmulArgs): Dispatch {
  if (program === 'vec4' && !vec4Aligned(args)) throw new Error(`${label}: matmul_vec4 needs this form's vectorised dimensions to be multiples of 4`);
  if (args.accumulate && args.bias) throw new Error(`${label}: a bias epilogue cannot accumulate (add the bias once, after the last micro-batch)`);
  if (args.relu && !args.bias) throw new Error(`${label}: the fused ReLU follows the bias; pass the bias too`);
  if (args.columnSums && (!args.transA || args.transB)) throw new Error(`${label}: column sums are fused only into Aᵀ·B (the weight gradient)`);
  if (args.mask && (args.accumulate || args.bias)) throw new Error(`${label}: the ReLU mask applies to a plain product (no bias, no accumulation)`);
  const pipeline = ctx.pipeline(programSource(program), 'main', {
    TRANS_A: args.transA ? 1 : 0, TRANS_B: args.transB ? 1 : 0, ACCUMULATE: args.accumulate ? 1 : 0,
    BIAS: args.bias ? 1 : 0, RELU: args.relu ? 1 : 0, COLUMN_SUMS: args.columnSums ? 1 : 0, MASK: args.mask ? 1 : 0,
  });
  const params = uniformBuffer(ctx.device, `${label}.params`, [args.M, args.N, args.K, 0]);
  return {
    label,
    pipeline,
    // Unused epilogue bindings, which the kernel never touches: B fills the read-only ones; the writable
    // sums binding needs a buffer of its own (writable bindings may not alias C).
    bindGroup: bindGroup(ctx.device, pipeline, label, [
      params, args.a, args.b, args.c, args.bias ?? args.b, args.columnSums ?? unusedSums(ctx.device), args.mask ?? args.b,
    ]),
    workgroups: programGrid(program, args),
  };
}
