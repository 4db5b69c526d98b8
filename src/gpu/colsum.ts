// Typed wrapper for shaders/colsum.wgsl: out[O] = Σ_b x[b, O] (bias gradients), or out += … when accumulating.
import code from '../../shaders/colsum.wgsl?raw';
import { bindGroup, uniformBuffer, type Dispatch, type GpuContext } from './context';

export function colsum(
  ctx: GpuContext, label: string,
  args: { x: GPUBuffer | GPUBufferBinding; out: GPUBuffer | GPUBufferBinding; B: number; O: number; accumulate?: boolean },
): Dispatch {
  const pipeline = ctx.pipeline(code, 'main', { ACCUMULATE: args.accumulate ? 1 : 0 });
  const params = uniformBuffer(ctx.device, `${label}.params`, [args.B, args.O]);
  return {
    label,
    pipeline,
    bindGroup: bindGroup(ctx.device, pipeline, label, [params, args.x, args.out]),
    workgroups: [Math.ceil(args.O / 64), 1],
  };
}
