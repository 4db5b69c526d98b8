// Typed wrapper for shaders/optimizer.wgsl: SGD, momentum and Adam over the flat parameter buffer.
// The per-step scalars (the scheduled learning rate and Adam's bias-corrected α, both from the step
// index, in float64) are rewritten into the uniform before each step: the one write a step needs anyway.
import code from '../../shaders/optimizer.wgsl?raw';
import type { OptimizerName } from '../core/config';
import { ADAM_BETA1, ADAM_BETA2, ADAM_EPSILON, MOMENTUM, adamAlpha, learningRate, type LrSchedule } from '../core/optimizers';
import { bindGroup, flatGrid, uniformBuffer, type Dispatch, type GpuContext } from './context';

export interface OptimizerArgs {
  kind: OptimizerName;
  lr: LrSchedule;
  /** Floats in the flat buffers. */
  P: number;
  /** The whole buffer, or (ZeRO) a replica's shard of it. */
  grads: GPUBuffer | GPUBufferBinding;
  weights: GPUBuffer | GPUBufferBinding;
  /** Momentum velocity or Adam first moment. */
  m: GPUBuffer;
  /** Adam second moment. */
  v: GPUBuffer;
}

export interface OptimizerUpdate {
  dispatch: Dispatch;
  /** Writes the scalars for step t (1-based) into the uniform; call before submitting that step. */
  prepare(t: number): void;
}

function paramWords(args: OptimizerArgs, t: number): ArrayBuffer {
  const words = new ArrayBuffer(32);
  const u32 = new Uint32Array(words);
  const f32 = new Float32Array(words);
  const lr = learningRate(args.lr, t);
  u32[0] = args.P;
  f32[1] = lr;
  f32[2] = adamAlpha(lr, t);
  f32[3] = MOMENTUM;
  f32[4] = 1 - ADAM_BETA1;
  f32[5] = 1 - ADAM_BETA2;
  f32[6] = ADAM_EPSILON;
  return words;
}

export function optimizerUpdate(ctx: GpuContext, label: string, args: OptimizerArgs): OptimizerUpdate {
  const pipeline = ctx.pipeline(code, args.kind);
  const params = uniformBuffer(ctx.device, `${label}.params`, new Array(8).fill(0));
  const state = { sgd: [], momentum: [args.m], adam: [args.m, args.v] }[args.kind];
  return {
    dispatch: {
      label,
      pipeline,
      bindGroup: bindGroup(ctx.device, pipeline, label, [params, args.grads, args.weights, ...state]),
      workgroups: flatGrid(args.P),
    },
    prepare(t) {
      ctx.device.queue.writeBuffer(params, 0, paramWords(args, t));
    },
  };
}
