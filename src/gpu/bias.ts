// Typed wrapper for shaders/bias.wgsl: y[B, O] += bias[O], in place.
import code from '../../shaders/bias.wgsl?raw';
import { bindGroup, flatGrid, uniformBuffer, type Dispatch, type GpuContext } from './context';

export function biasAdd(
  ctx: GpuContext, label: string,
  args: { bias: GPUBuffer | GPUBufferBinding; y: GPUBuffer | GPUBufferBinding; B: number; O: number },
): Dispatch {
  const pipeline = ctx.pipeline(code, 'main');
  const params = uniformBuffer(ctx.device, `${label}.params`, [args.B, args.O]);
  return {
    label,
    pipeline,
    bindGroup: bindGroup(ctx.device, pipeline, label, [params, args.bias, args.y]),
    workgroups: flatGrid(args.B * args.O),
  };
}
