// The GPU side of a data-parallel replica's step, through one staging buffer made once: its shard's
// gradients read back with the loss and the GPU time (gradient all-reduce) or the loss alone (local SGD),
// the summed gradient or the averaged weights written back, and the optimizer update (ZeRO: of its shard).
import { readStaging } from './context';
import { GPU_TIMER_BYTES, GpuTimer } from './gpu-timer';
import { LOSS_STATS_BYTES, decodeLossStats, type LossStats } from './softmax-ce';
import type { Trainer } from './trainer';
import type { ZeroShard } from './zero-shard';

export interface ShardGradients {
  /** [P], a view of the bytes read back (transferable). */
  grads: Float32Array;
  stats: LossStats;
  /** GPU time of the forward and backward pass, or null where the adapter gives none. */
  gpuComputeMs: number | null;
}

export class ReplicaGpuStep {
  private readonly timer: GpuTimer | null;
  /** [P floats | LossStats | GPU timer]: what one step reads back. */
  private readonly staging: GPUBuffer;
  private readonly vectorBytes: number;
  private readonly statsAt: number;
  private readonly timerAt: number;

  constructor(private readonly device: GPUDevice, private readonly trainer: Trainer, private readonly rank: number) {
    this.vectorBytes = trainer.layout.totalFloats * 4;
    this.timer = GpuTimer.create(device);
    this.statsAt = this.vectorBytes;
    this.timerAt = this.vectorBytes + LOSS_STATS_BYTES;
    this.staging = device.createBuffer({ size: this.timerAt + GPU_TIMER_BYTES, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
  }

  /** Gradients of the shard, scaled by 1/global batch, copied out with the loss and the GPU time: one submit. */
  submitGradients(ids: Uint32Array, globalRows: number, step: number): void {
    const encoder = this.device.createCommandEncoder({ label: `replica ${this.rank} step ${step}` });
    this.trainer.encodeGradients(encoder, ids, globalRows, this.timer);
    encoder.copyBufferToBuffer(this.trainer.grads, 0, this.staging, 0, this.vectorBytes);
    encoder.copyBufferToBuffer(this.trainer.stats, 0, this.staging, this.statsAt, LOSS_STATS_BYTES);
    if (this.timer) encoder.copyBufferToBuffer(this.timer.resolved, 0, this.staging, this.timerAt, GPU_TIMER_BYTES);
    this.device.queue.submit([encoder.finish()]);
  }

  async readGradients(): Promise<ShardGradients> {
    const bytes = await readStaging(this.staging, this.timerAt + GPU_TIMER_BYTES);
    return {
      grads: new Float32Array(bytes, 0, this.vectorBytes / 4),
      stats: decodeLossStats(bytes, this.statsAt),
      gpuComputeMs: this.timer ? GpuTimer.elapsedMs(bytes, this.timerAt) : null,
    };
  }

  /** The gradient summed over the replicas written back, and the update, its new weights copied out. */
  submitSummedUpdate(sum: Float32Array, step: number): void {
    this.device.queue.writeBuffer(this.trainer.grads, 0, sum as Float32Array<ArrayBuffer>);
    const update = this.device.createCommandEncoder({ label: `replica ${this.rank} update ${step}` });
    this.trainer.encodeUpdate(update, step);
    update.copyBufferToBuffer(this.trainer.params, 0, this.staging, 0, this.vectorBytes);
    this.device.queue.submit([update.finish()]);
  }

  /** The weights submitSummedUpdate copied out. */
  async readUpdatedWeights(): Promise<Float32Array> {
    return new Float32Array(await readStaging(this.staging, this.vectorBytes));
  }

  /**
   * ZeRO: this replica's chunk of the summed gradient written at its shard's offset, the shard's update,
   * and the shard's new weights copied out (to be all-gathered). With `chunk` null (a non-finite sum) no
   * update: the weights it holds are copied out.
   */
  submitShardUpdate(shard: ZeroShard, chunk: Float32Array | null, step: number): void {
    const { lo, hi } = shard.shard;
    if (chunk) this.device.queue.writeBuffer(this.trainer.grads, lo * 4, chunk as Float32Array<ArrayBuffer>);
    const update = this.device.createCommandEncoder({ label: `replica ${this.rank} shard update ${step}` });
    if (chunk) shard.encodeUpdate(update, step);
    if (hi > lo) update.copyBufferToBuffer(this.trainer.params, lo * 4, this.staging, 0, (hi - lo) * 4);
    this.device.queue.submit([update.finish()]);
  }

  /** The shard's weights submitShardUpdate copied out. */
  async readShardWeights(shard: ZeroShard): Promise<Float32Array> {
    if (shard.floats === 0) return new Float32Array(0);
    return new Float32Array(await readStaging(this.staging, shard.floats * 4));
  }

  /** Local SGD: gradients of the shard as its own batch, the loss copied out: one submit. */
  submitLocalGradients(ids: Uint32Array, step: number): void {
    const encoder = this.device.createCommandEncoder({ label: `replica ${this.rank} step ${step}` });
    this.trainer.encodeGradients(encoder, ids, ids.length);
    encoder.copyBufferToBuffer(this.trainer.stats, 0, this.staging, 0, LOSS_STATS_BYTES);
    this.device.queue.submit([encoder.finish()]);
  }

  async readLoss(): Promise<LossStats> {
    return decodeLossStats(await readStaging(this.staging, LOSS_STATS_BYTES));
  }

  submitUpdate(step: number): void {
    const update = this.device.createCommandEncoder({ label: `replica ${this.rank} update ${step}` });
    this.trainer.encodeUpdate(update, step);
    this.device.queue.submit([update.finish()]);
  }

  /** The weights after all submitted work. */
  async readWeights(step: number): Promise<Float32Array> {
    const read = this.device.createCommandEncoder({ label: `replica ${this.rank} weights ${step}` });
    read.copyBufferToBuffer(this.trainer.params, 0, this.staging, 0, this.vectorBytes);
    this.device.queue.submit([read.finish()]);
    return new Float32Array(await readStaging(this.staging, this.vectorBytes));
  }

  writeWeights(params: Float32Array): void {
    this.device.queue.writeBuffer(this.trainer.params, 0, params as Float32Array<ArrayBuffer>);
  }

  /** Resolves once the GPU has done all work submitted so far. */
  idle(): Promise<void> {
    return this.device.queue.onSubmittedWorkDone();
  }
}
