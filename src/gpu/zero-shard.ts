// A data-parallel replica's ZeRO shard on the GPU (zero ≥ 1): the optimizer state (momentum's velocity,
// Adam's m and v) of its 1/N of the parameters alone, and the update of that range of the weights, bound in
// place in the trainer's flat buffers (shard bounds fall on 256-byte offsets: core/zero-shards.ts), or at
// stage 3 in the shard-sized weight and gradient buffers that are all a replica holds (gpu/zero3-trainer.ts).
import type { ModelLayout } from '../core/model';
import type { Shard } from '../core/zero-shards';
import { encodeDispatches, readBuffer, slice, storageBuffer, type GpuContext } from './context';
import { optimizerUpdate, type OptimizerUpdate } from './optimizer';
import type { TrainerSpec } from './trainer';

/** The trainer a shard lives in: its weight and gradient buffers hold the flat vector from float `base` on. */
export interface ShardHost {
  readonly device: GPUDevice;
  readonly ctx: GpuContext;
  readonly spec: Pick<TrainerSpec, 'optimizer' | 'lr'>;
  readonly layout: ModelLayout;
  readonly params: GPUBuffer;
  readonly grads: GPUBuffer;
}

export class ZeroShard {
  /** [hi − lo] each: the shard's momentum velocity or Adam first moment, and Adam's second moment. */
  readonly m: GPUBuffer;
  readonly v: GPUBuffer;
  /** Null for an empty shard (a model of fewer than 64 floats per replica). */
  private readonly update: OptimizerUpdate | null;

  /** `base`: the float of the flat vector at which the host's weight and gradient buffers begin (0: the whole vector). */
  constructor(private readonly trainer: ShardHost, readonly shard: Shard, base = { params: 0, grads: 0 }) {
    const floats = shard.hi - shard.lo;
    this.m = storageBuffer(trainer.device, 'zero.m', floats * 4);
    this.v = storageBuffer(trainer.device, 'zero.v', floats * 4);
    this.update = floats === 0 ? null : optimizerUpdate(trainer.ctx, 'zero.update', {
      kind: trainer.spec.optimizer, lr: trainer.spec.lr, P: floats, m: this.m, v: this.v,
      grads: slice(trainer.grads, shard.lo - base.grads, floats), weights: slice(trainer.params, shard.lo - base.params, floats),
    });
  }

  get floats(): number {
    return this.shard.hi - this.shard.lo;
  }

  /** The update of step t (1-based) over the shard, from the gradient chunk written at its offset. */
  encodeUpdate(encoder: GPUCommandEncoder, t: number): void {
    if (!this.update) return;
    this.update.prepare(t);
    const pass = encoder.beginComputePass({ label: 'zero update' });
    encodeDispatches(pass, [this.update.dispatch]);
    pass.end();
  }

  /** The shard's optimizer state placed in vectors of the whole model's length (zeros elsewhere). */
  async readMoments(): Promise<{ m: Float32Array; v: Float32Array }> {
    const [m, v] = await Promise.all([this.m, this.v].map(async (b) => {
      const whole = new Float32Array(this.trainer.layout.totalFloats);
      whole.set(new Float32Array(await readBuffer(this.trainer.device, b), 0, this.floats), this.shard.lo);
      return whole;
    }));
    return { m, v };
  }

  /** The shard's part of the whole model's optimizer state (a resume, a new generation). */
  restoreOptimizerState(m: Float32Array, v: Float32Array): void {
    const P = this.trainer.layout.totalFloats;
    if (m.length !== P || v.length !== P) throw new Error(`saved optimizer state has ${m.length} floats, the model needs ${P}`);
    if (this.floats === 0) return;
    this.trainer.device.queue.writeBuffer(this.m, 0, m.subarray(this.shard.lo, this.shard.hi) as Float32Array<ArrayBuffer>);
    this.trainer.device.queue.writeBuffer(this.v, 0, v.subarray(this.shard.lo, this.shard.hi) as Float32Array<ArrayBuffer>);
  }
}
