// Asynchronous loss readback: each step copies its LossStats into a slot of a GPU-side log; every
// `slots` steps the log is copied to a staging buffer and mapped without blocking the next steps.
import { LOSS_STATS_BYTES, decodeLossStats, type LossStats } from './softmax-ce';

export class StatsLog {
  readonly buffer: GPUBuffer;
  private filled = 0;
  private pending: Promise<LossStats[]>[] = [];

  constructor(private readonly device: GPUDevice, readonly slots: number) {
    this.buffer = device.createBuffer({
      label: 'stats.log', size: slots * LOSS_STATS_BYTES, usage: GPUBufferUsage.COPY_DST | GPUBufferUsage.COPY_SRC,
    });
  }

  /** Byte offset for the next step's stats; call `flush` when `full`. */
  nextOffset(): number {
    return this.filled++ * LOSS_STATS_BYTES;
  }

  get full(): boolean {
    return this.filled === this.slots;
  }

  get empty(): boolean {
    return this.filled === 0;
  }

  /** Starts reading the filled slots back; `oldest` hands the results out in step order. */
  flush(): void {
    const count = this.filled;
    this.filled = 0;
    const size = count * LOSS_STATS_BYTES;
    const staging = this.device.createBuffer({ size, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
    const encoder = this.device.createCommandEncoder({ label: 'stats.flush' });
    encoder.copyBufferToBuffer(this.buffer, 0, staging, 0, size);
    this.device.queue.submit([encoder.finish()]);
    const read = staging.mapAsync(GPUMapMode.READ).then(() => {
      const bytes = staging.getMappedRange().slice(0);
      staging.destroy();
      return Array.from({ length: count }, (_, i) => decodeLossStats(bytes, i * LOSS_STATS_BYTES));
    });
    this.pending.push(read);
  }

  /** Readbacks started but not yet awaited by the caller. */
  get inFlight(): number {
    return this.pending.length;
  }

  /** Waits for the oldest readback still in flight. */
  oldest(): Promise<LossStats[]> {
    const first = this.pending.shift();
    if (!first) throw new Error('no readback in flight');
    return first;
  }
}
