// Typed wrapper for shaders/softmax_ce.wgsl: loss sum and correct count of a batch, and the fused
// backward dlogits = (softmax − onehot)·scale.
import code from '../../shaders/softmax_ce.wgsl?raw';
import { bindGroup, uniformBuffer, type Dispatch, type GpuContext } from './context';

type Binding = GPUBuffer | GPUBufferBinding;

/** Bytes of the LossStats struct: lossSum f32, correct u32. */
export const LOSS_STATS_BYTES = 8;

export interface SoftmaxCeArgs {
  /** [B, C] */
  logits: Binding;
  /** [B] u32 */
  labels: Binding;
  /** [B, C] */
  dlogits: Binding;
  /** LossStats (8 bytes) */
  stats: Binding;
  B: number;
  C: number;
  /** Gradient scale, 1/B of the global batch. */
  scale: number;
  /** Add the loss sum and correct count to `stats` (a step's later micro-batches) instead of writing them. */
  accumulate?: boolean;
}

export function softmaxCe(ctx: GpuContext, label: string, args: SoftmaxCeArgs): Dispatch {
  const pipeline = ctx.pipeline(code, 'main');
  const params = uniformBuffer(ctx.device, `${label}.params`, [args.B, args.C, { f32: args.scale }, args.accumulate ? 1 : 0]);
  return {
    label,
    pipeline,
    bindGroup: bindGroup(ctx.device, pipeline, label, [params, args.logits, args.labels, args.dlogits, args.stats]),
    workgroups: [1, 1],
  };
}

/** A batch's loss sum and correct count, as the shader's LossStats struct holds them. */
export interface LossStats {
  lossSum: number;
  correct: number;
}

export function decodeLossStats(bytes: ArrayBuffer, offset = 0): LossStats {
  return { lossSum: new Float32Array(bytes, offset, 1)[0], correct: new Uint32Array(bytes, offset + 4, 1)[0] };
}

/** The sums of `count` LossStats laid one after another in `bytes` (a log of steps or evaluation chunks). */
export function sumLossStats(bytes: ArrayBuffer, count: number): LossStats {
  let lossSum = 0;
  let correct = 0;
  for (let i = 0; i < count; i++) {
    const s = decodeLossStats(bytes, i * LOSS_STATS_BYTES);
    lossSum += s.lossSum;
    correct += s.correct;
  }
  return { lossSum, correct };
}
