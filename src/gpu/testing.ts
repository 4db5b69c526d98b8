// Helpers for the kernel and trainer tests on Dawn: one device per test file, random inputs,
// NaN-poisoned outputs, and the relative error against the float64 reference.
import { createRng, type Rng } from '../core/rng';
import { createContext, encodeDispatches, readBuffer, storageBufferFrom, type Dispatch, type GpuContext } from './context';
import { requestNodeDevice } from './dawn';

let shared: Promise<GpuContext> | null = null;

export function testContext(): Promise<GpuContext> {
  shared ??= requestNodeDevice().then((device) => {
    device.addEventListener('uncapturederror', (e) => {
      throw new Error(`GPU error: ${(e as GPUUncapturedErrorEvent).error.message}`);
    });
    return createContext(device);
  });
  return shared;
}

/** Fresh random inputs each run: the seed comes from the clock and is printed on failure. */
export function freshRng(): { rng: Rng; seed: number } {
  const seed = (Date.now() ^ (Math.random() * 2 ** 32)) >>> 0;
  return { rng: createRng(seed), seed };
}

export function randomFloats(rng: Rng, n: number, scale = 1): Float32Array {
  return Float32Array.from({ length: n }, () => (rng.float() * 2 - 1) * scale);
}

export function upload(ctx: GpuContext, data: Float32Array | Uint32Array, label = 'input'): GPUBuffer {
  return storageBufferFrom(ctx.device, label, data);
}

/** An output buffer filled with NaN, so any element a kernel fails to write shows up. */
export function poisoned(ctx: GpuContext, floats: number, label = 'output'): GPUBuffer {
  return storageBufferFrom(ctx.device, label, new Float32Array(floats).fill(NaN));
}

export async function run(ctx: GpuContext, dispatches: Dispatch[]): Promise<void> {
  const encoder = ctx.device.createCommandEncoder();
  const pass = encoder.beginComputePass();
  encodeDispatches(pass, dispatches);
  pass.end();
  ctx.device.queue.submit([encoder.finish()]);
  await ctx.device.queue.onSubmittedWorkDone();
}

export async function readFloats(ctx: GpuContext, buffer: GPUBuffer, floats?: number): Promise<Float32Array> {
  return new Float32Array(await readBuffer(ctx.device, buffer, 0, floats === undefined ? buffer.size : floats * 4));
}

/** The tests measure every kernel with the same relative error the replicas use for weight drift. */
export { relativeError } from '../core/reference';

/** A Dawn device whose createBuffer and destroy keep count of the bytes alive, in live[rank]. */
export async function countingDevice(live: number[], rank: number): Promise<GPUDevice> {
  const device = await requestNodeDevice();
  const create = device.createBuffer.bind(device);
  live[rank] = 0;
  device.createBuffer = (descriptor: GPUBufferDescriptor) => {
    const buffer = create(descriptor);
    live[rank] += descriptor.size;
    const destroy = buffer.destroy.bind(buffer);
    buffer.destroy = () => {
      live[rank] -= descriptor.size;
      destroy();
    };
    return buffer;
  };
  return device;
}
