// GPU timestamps around a compute pass, where the adapter offers 'timestamp-query': the time the GPU
// itself spent, free of the CPU-side waits a wall clock includes.

/** Bytes of the resolved pair of 64-bit timestamps. */
export const GPU_TIMER_BYTES = 16;

export class GpuTimer {
  private readonly querySet: GPUQuerySet;
  /** The resolved timestamps [begin, end] in nanoseconds, copied out like any other buffer. */
  readonly resolved: GPUBuffer;

  private constructor(device: GPUDevice) {
    this.querySet = device.createQuerySet({ type: 'timestamp', count: 2 });
    this.resolved = device.createBuffer({ size: GPU_TIMER_BYTES, usage: GPUBufferUsage.QUERY_RESOLVE | GPUBufferUsage.COPY_SRC });
  }

  /** A timer where the device was created with 'timestamp-query', else null (use the wall clock). */
  static create(device: GPUDevice): GpuTimer | null {
    return device.features.has('timestamp-query') ? new GpuTimer(device) : null;
  }

  /** Pass descriptor fields that stamp the beginning and the end of the pass. */
  passWrites(): GPUComputePassTimestampWrites {
    return { querySet: this.querySet, beginningOfPassWriteIndex: 0, endOfPassWriteIndex: 1 };
  }

  /** Encodes the resolve after the timed pass. */
  resolve(encoder: GPUCommandEncoder): void {
    encoder.resolveQuerySet(this.querySet, 0, 2, this.resolved, 0);
  }

  /** Milliseconds between the two stamps, or null when the adapter gave no usable time. */
  static elapsedMs(bytes: ArrayBuffer, offset: number): number | null {
    const [begin, end] = new BigUint64Array(bytes.slice(offset, offset + GPU_TIMER_BYTES));
    const ms = Number(end - begin) / 1e6;
    return end > begin && Number.isFinite(ms) ? ms : null;
  }
}
