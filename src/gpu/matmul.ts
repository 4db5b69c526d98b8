// Typed wrapper for shaders/matmul.wgsl: C[M, N] = op(A)·op(B) with optional transposes, or C += …, or
// with an epilogue fused in (bias and ReLU; the bias gradient's column sums; a ReLU backward mask).
// Shapes whose vectorised dimensions are multiples of 4 run matmul_vec4.wgsl; both end with
// matmul_store.wgsl, the epilogues.
import scalarBody from '../../shaders/matmul.wgsl?raw';
import store from '../../shaders/matmul_store.wgsl?raw';
import vec4Body from '../../shaders/matmul_vec4.wgsl?raw';
import { bindGroup, storageBuffer, uniformBuffer, type Dispatch, type GpuContext } from './context';

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

const KERNELS = { scalar: `${scalarBody}\n${store}`, vec4: `${vec4Body}\n${store}` };

/** Each 8×8 workgroup covers a 32×32 tile of C. */
const TILE = 32;

/** True when matmul_vec4.wgsl can read this form's operands as vec4 (see its header). */
export function vec4Aligned({ M, N, K, transA, transB }: Pick<MatmulArgs, 'M' | 'N' | 'K' | 'transA' | 'transB'>): boolean {
  if (transA && transB) return false;
  if (transA) return M % 4 === 0 && N % 4 === 0;
  if (transB) return K % 4 === 0;
  return K % 4 === 0 && N % 4 === 0;
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

export function matmul(ctx: GpuContext, label: string, args: MatmulArgs): Dispatch {
  return matmulWith(vec4Aligned(args) ? 'vec4' : 'scalar', ctx, label, args);
}

/** A chosen kernel ('vec4' only where vec4Aligned): for the tests and the benchmark, which compare the two. */
export function matmulWith(kernel: 'scalar' | 'vec4', ctx: GpuContext, label: string, args: MatmulArgs): Dispatch {
  if (kernel === 'vec4' && !vec4Aligned(args)) throw new Error(`${label}: matmul_vec4 needs this form's vectorised dimensions to be multiples of 4`);
  if (args.accumulate && args.bias) throw new Error(`${label}: a bias epilogue cannot accumulate (add the bias once, after the last micro-batch)`);
  if (args.relu && !args.bias) throw new Error(`${label}: the fused ReLU follows the bias; pass the bias too`);
  if (args.columnSums && (!args.transA || args.transB)) throw new Error(`${label}: column sums are fused only into Aᵀ·B (the weight gradient)`);
  if (args.mask && (args.accumulate || args.bias)) throw new Error(`${label}: the ReLU mask applies to a plain product (no bias, no accumulation)`);
  const pipeline = ctx.pipeline(KERNELS[kernel], 'main', {
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
    workgroups: [Math.ceil(args.N / TILE), Math.ceil(args.M / TILE)],
  };
}
