// One dense layer's forward and backward as dispatch lists, shared by the single-device trainer and the
// model-parallel part trainer (pipeline stages, tensor-parallel slices), so both run the same kernels
// in the same order.
import type { MatmulKernel } from '../core/config';
import type { LayerSlots } from '../core/model';
import { biasAdd } from './bias';
import { slice, type Dispatch, type GpuContext } from './context';
import { matmul, type MatmulArgs } from './matmul';
import { reluBackward, reluForward } from './relu';

export interface LayerForwardArgs {
  layer: LayerSlots;
  /** Flat parameter buffer holding the layer's W [I, O] and b [O]. */
  params: GPUBuffer;
  /** [B, I] */
  input: GPUBuffer;
  /** [B, O] */
  output: GPUBuffer;
  B: number;
  /** The kernel of X·W (kernel-tuning.ts); 'blocked' when not given. */
  kernel?: MatmulKernel;
}

function weightsMatmul(a: LayerForwardArgs): MatmulArgs {
  return { a: a.input, b: slice(a.params, a.layer.w.offset, a.layer.w.size), c: a.output, M: a.B, N: a.layer.outputs, K: a.layer.inputs };
}

/** Y = X·W: the matmul alone (a row-parallel slice's partial output, summed across workers before the bias). */
export function layerMatmul(ctx: GpuContext, label: string, a: LayerForwardArgs): Dispatch {
  return matmul(ctx, `${label}.matmul`, weightsMatmul(a), a.kernel);
}

/** Y += b, then ReLU for hidden layers. */
export function layerEpilogue(ctx: GpuContext, label: string, a: Omit<LayerForwardArgs, 'input'>): Dispatch[] {
  const out = [biasAdd(ctx, `${label}.bias`, { bias: slice(a.params, a.layer.b.offset, a.layer.b.size), y: a.output, B: a.B, O: a.layer.outputs })];
  if (a.layer.relu) out.push(reluForward(ctx, `${label}.relu`, { x: a.output, N: a.B * a.layer.outputs }));
  return out;
}

/** Y = act(X·W + b): one matmul with the bias and ReLU in its epilogue (the same bits as the three kernels). */
export function layerForward(ctx: GpuContext, label: string, a: LayerForwardArgs): Dispatch[] {
  return [matmul(ctx, `${label}.matmul`, {
    ...weightsMatmul(a), bias: slice(a.params, a.layer.b.offset, a.layer.b.size), relu: a.layer.relu,
  }, a.kernel)];
}

export interface LayerBackwardArgs {
  layer: LayerSlots;
  params: GPUBuffer;
  /** Flat gradient buffer, same layout as params (or as `gradSlots` says). */
  grads: GPUBuffer;
  /** Where dW and db go in `grads` when not at the layer's own offsets (ZeRO stage 2's layer-sized gradient buffer). */
  gradSlots?: LayerSlots;
  /** The layer's input X [B, I]. */
  input: GPUBuffer;
  /** δ = dLoss/d(pre-activation) [B, O]. */
  delta: GPUBuffer;
  B: number;
  /** Add to the gradients already there (micro-batches) instead of overwriting them. */
  accumulate: boolean;
  /**
   * Where dX = δ·Wᵀ [B, I] goes, if wanted; `mask` (the previous layer's ReLU output) turns it into the
   * previous layer's δ in place. Without a mask dX stays raw: a stage boundary, or a partial sum.
   */
  inputGrad?: { buffer: GPUBuffer; mask: GPUBuffer | null };
  /** The kernels of dW and dX (kernel-tuning.ts); 'blocked' when not given. */
  kernels?: { dW: MatmulKernel; dX: MatmulKernel };
}

/** dW = Xᵀ·δ with db = Σ_rows δ fused in, and optionally dX = δ·Wᵀ (⊙ relu' fused in): one dispatch each. */
export function layerBackward(ctx: GpuContext, label: string, a: LayerBackwardArgs): Dispatch[] {
  const { layer, B } = a;
  const out: Dispatch[] = [
    matmul(ctx, `${label}.dW+db`, {
      a: a.input, b: a.delta, c: slice(a.grads, (a.gradSlots ?? layer).w.offset, layer.w.size),
      M: layer.inputs, N: layer.outputs, K: B, transA: true, accumulate: a.accumulate,
      columnSums: slice(a.grads, (a.gradSlots ?? layer).b.offset, layer.b.size),
    }, a.kernels?.dW),
  ];
  if (a.inputGrad) {
    // The ReLU mask, where there is one, is fused into the matmul's epilogue.
    out.push(matmul(ctx, `${label}.dX`, {
      a: a.delta, b: slice(a.params, layer.w.offset, layer.w.size), c: a.inputGrad.buffer,
      M: B, N: layer.inputs, K: layer.outputs, transB: true, mask: a.inputGrad.mask ?? undefined,
    }, a.kernels?.dX));
  }
  return out;
}

/** grad ⊙ relu'(activation), in place: a gradient arriving at a ReLU output becomes the δ before it. */
export function reluMask(ctx: GpuContext, label: string, grad: GPUBuffer, activation: GPUBuffer, N: number): Dispatch {
  return reluBackward(ctx, `${label}.relu`, { activation, grad, N });
}
