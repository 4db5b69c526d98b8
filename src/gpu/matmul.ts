// Typed wrapper for shaders/matmul.wgsl: C[M, N] = op(A)·op(B) (or C += … when accumulating) with
// optional transposes; shapes whose vectorised dimensions are multiples of 4 run matmul_vec4.wgsl.
import code from '../../shaders/matmul.wgsl?raw';
import vec4Code from '../../shaders/matmul_vec4.wgsl?raw';
import { bindGroup, uniformBuffer, type Dispatch, type GpuContext } from './context';

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
}

/** Each 8×8 workgroup covers a 32×32 tile of C. */
const TILE = 32;

/** True when matmul_vec4.wgsl can read this form's operands as vec4 (see its header). */
export function vec4Aligned({ M, N, K, transA, transB }: Pick<MatmulArgs, 'M' | 'N' | 'K' | 'transA' | 'transB'>): boolean {
  if (transA && transB) return false;
  if (transA) return M % 4 === 0 && N % 4 === 0;
  if (transB) return K % 4 === 0;
  return K % 4 === 0 && N % 4 === 0;
}

export function matmul(ctx: GpuContext, label: string, args: MatmulArgs): Dispatch {
  return matmulWith(vec4Aligned(args) ? 'vec4' : 'scalar', ctx, label, args);
}

/** A chosen kernel ('vec4' only where vec4Aligned): for the tests and the benchmark, which compare the two. */
export function matmulWith(kernel: 'scalar' | 'vec4', ctx: GpuContext, label: string, args: MatmulArgs): Dispatch {
  if (kernel === 'vec4' && !vec4Aligned(args)) throw new Error(`${label}: matmul_vec4 needs this form's vectorised dimensions to be multiples of 4`);
  const pipeline = ctx.pipeline(kernel === 'vec4' ? vec4Code : code, 'main', {
    TRANS_A: args.transA ? 1 : 0, TRANS_B: args.transB ? 1 : 0, ACCUMULATE: args.accumulate ? 1 : 0,
  });
  const params = uniformBuffer(ctx.device, `${label}.params`, [args.M, args.N, args.K, 0]);
  return {
    label,
    pipeline,
    bindGroup: bindGroup(ctx.device, pipeline, label, [params, args.a, args.b, args.c]),
    workgroups: [Math.ceil(args.N / TILE), Math.ceil(args.M / TILE)],
  };
}
