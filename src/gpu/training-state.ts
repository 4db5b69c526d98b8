// A trainer's whole state (weights and optimizer moments) read back, and its optimizer state restored:
// shared by the single-device trainer and the model-parallel part trainer.
import { readBuffer } from './context';

/** Everything needed to continue a run exactly: weights, optimizer state, steps taken. */
export interface TrainingState {
  step: number;
  params: Float32Array;
  /** Optimizer state (momentum velocity or Adam moments; zeros where unused). */
  m: Float32Array;
  v: Float32Array;
}

export interface StateBuffers {
  params: GPUBuffer;
  m: GPUBuffer;
  v: GPUBuffer;
}

/** The weights and optimizer state after all submitted work, labelled with the steps they follow. */
export async function readTrainingState(device: GPUDevice, buffers: StateBuffers, step: number): Promise<TrainingState> {
  const [params, m, v] = await Promise.all([buffers.params, buffers.m, buffers.v].map(async (b) => new Float32Array(await readBuffer(device, b))));
  return { step, params, m, v };
}

export function writeOptimizerState(device: GPUDevice, buffers: StateBuffers, m: Float32Array, v: Float32Array): void {
  for (const [buffer, data] of [[buffers.m, m], [buffers.v, v]] as const) {
    if (data.length * 4 !== buffer.size) throw new Error(`saved optimizer state has ${data.length} floats, the model needs ${buffer.size / 4}`);
    device.queue.writeBuffer(buffer, 0, data as Float32Array<ArrayBuffer>);
  }
}
