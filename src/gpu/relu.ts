// Typed wrappers for shaders/relu.wgsl: ReLU forward in place, and its backward masked by the output.
import code from '../../shaders/relu.wgsl?raw';
import { bindGroup, flatGrid, uniformBuffer, type Dispatch, type GpuContext } from './context';

type Binding = GPUBuffer | GPUBufferBinding;

/** x[N] = max(x, 0). */
export function reluForward(ctx: GpuContext, label: string, args: { x: Binding; N: number }): Dispatch {
  const pipeline = ctx.pipeline(code, 'relu_forward');
  const params = uniformBuffer(ctx.device, `${label}.params`, [args.N]);
  return { label, pipeline, bindGroup: bindGroup(ctx.device, pipeline, label, [params, args.x]), workgroups: flatGrid(args.N) };
}

/** grad[N] = activation > 0 ? grad : 0, where activation is the ReLU output. */
export function reluBackward(ctx: GpuContext, label: string, args: { activation: Binding; grad: Binding; N: number }): Dispatch {
  const pipeline = ctx.pipeline(code, 'relu_backward');
  const params = uniformBuffer(ctx.device, `${label}.params`, [args.N]);
  return {
    label,
    pipeline,
    bindGroup: bindGroup(ctx.device, pipeline, label, [params, args.activation, args.grad]),
    workgroups: flatGrid(args.N),
  };
}
