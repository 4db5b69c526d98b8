// Typed wrapper for shaders/gather.wgsl: builds a batch x[B, D], y[B] from sample ids on the GPU.
import code from '../../shaders/gather.wgsl?raw';
import { bindGroup, flatGrid, uniformBuffer, type Dispatch, type GpuContext } from './context';

type Binding = GPUBuffer | GPUBufferBinding;

export interface GatherArgs {
  /** [N, D] */
  data: Binding;
  /** [N] u32 */
  labels: Binding;
  /** [B] u32 sample ids */
  indices: Binding;
  /** [B, D] */
  x: Binding;
  /** [B] u32 */
  y: Binding;
  B: number;
  D: number;
}

export function gather(ctx: GpuContext, label: string, args: GatherArgs): Dispatch {
  const pipeline = ctx.pipeline(code, 'main');
  const params = uniformBuffer(ctx.device, `${label}.params`, [args.B, args.D]);
  return {
    label,
    pipeline,
    bindGroup: bindGroup(ctx.device, pipeline, label, [params, args.data, args.labels, args.indices, args.x, args.y]),
    workgroups: flatGrid(args.B * args.D),
  };
}
