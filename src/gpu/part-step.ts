// The GPU side of a model-parallel worker's step, through one staging buffer made once: each segment of
// dispatches in its own submit (a partial result copied out to be summed), buffers read out for the
// neighbours and the ring, the micro-batches' losses logged and read back, and the update.
import { partStagingBytes } from '../core/part-memory';
import { encodeDispatches, readStaging } from './context';
import type { PartTrainer, Segment } from './part-trainer';
import { LOSS_STATS_BYTES, sumLossStats, type LossStats } from './softmax-ce';

export class PartGpuStep {
  private readonly staging: GPUBuffer;
  /** LossStats of each micro-batch of a step, or of one evaluation chunk. */
  private readonly lossLog: GPUBuffer;

  /** `replicas` > 1: a pipeline stage sums its gradients with the other replicas' through the staging buffer too. */
  constructor(private readonly device: GPUDevice, private readonly trainer: PartTrainer, microbatches: number, replicas: number) {
    this.staging = device.createBuffer({ size: partStagingBytes({ ...trainer.spec, microbatches, replicas }), usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
    this.lossLog = device.createBuffer({
      size: LOSS_STATS_BYTES * microbatches, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST,
    });
  }

  /**
   * Runs one segment in one submit, copying out its partial result (if it has one) to be summed; `finish`
   * adds to the same encoder. Resolves when the GPU is done.
   */
  async runSegment(segment: Segment, label: string, finish?: (encoder: GPUCommandEncoder) => void): Promise<void> {
    const encoder = this.device.createCommandEncoder({ label });
    const pass = encoder.beginComputePass();
    encodeDispatches(pass, segment.dispatches);
    pass.end();
    if (segment.reduce) encoder.copyBufferToBuffer(segment.reduce.buffer, 0, this.staging, 0, segment.reduce.floats * 4);
    finish?.(encoder);
    this.device.queue.submit([encoder.finish()]);
    await this.device.queue.onSubmittedWorkDone();
  }

  /** The partial result the last segment copied out. */
  async readPartial(floats: number): Promise<Float32Array> {
    return new Float32Array(await readStaging(this.staging, floats * 4));
  }

  /** The first `floats` of a buffer after the GPU work submitted so far. */
  async readOut(buffer: GPUBuffer, floats: number, label?: string): Promise<Float32Array> {
    const encoder = this.device.createCommandEncoder(label === undefined ? undefined : { label });
    encoder.copyBufferToBuffer(buffer, 0, this.staging, 0, floats * 4);
    this.device.queue.submit([encoder.finish()]);
    return new Float32Array(await readStaging(this.staging, floats * 4));
  }

  write(buffer: GPUBuffer, data: Float32Array): void {
    this.device.queue.writeBuffer(buffer, 0, data as Float32Array<ArrayBuffer>);
  }

  /** Adds the copy of a slot's loss into the loss log's entry at `statsAt` (bytes) to a forward's encoder. */
  logLoss(encoder: GPUCommandEncoder, slot: number, statsAt: number): void {
    encoder.copyBufferToBuffer(this.trainer.stats[slot], 0, this.lossLog, statsAt, LOSS_STATS_BYTES);
  }

  /** Loss sums of the first `count` entries of the loss log. */
  async readLosses(count: number): Promise<LossStats> {
    const encoder = this.device.createCommandEncoder();
    encoder.copyBufferToBuffer(this.lossLog, 0, this.staging, 0, count * LOSS_STATS_BYTES);
    this.device.queue.submit([encoder.finish()]);
    return sumLossStats(await readStaging(this.staging, count * LOSS_STATS_BYTES), count);
  }

  /** The optimizer step over this worker's parameters; resolves when the GPU is done. */
  async update(step: number): Promise<void> {
    const encoder = this.device.createCommandEncoder({ label: `update ${step}` });
    this.trainer.encodeUpdate(encoder, step);
    this.device.queue.submit([encoder.finish()]);
    await this.device.queue.onSubmittedWorkDone();
  }
}
