// GPU context shared by every kernel wrapper: the device, a pipeline cache, and small buffer helpers.
// A Dispatch is what a wrapper builds once per run (pipeline + bind group + grid); steps only encode it.

export interface Dispatch {
  label: string;
  pipeline: GPUComputePipeline;
  bindGroup: GPUBindGroup;
  workgroups: [number, number];
}

export interface GpuContext {
  /** The device; while precompile records, a stand-in that creates nothing. */
  readonly device: GPUDevice;
  pipeline(code: string, entryPoint: string, constants?: Record<string, number>): GPUComputePipeline;
  /** What `build` returns for `key`, built once (a step's dispatches); while precompile records, built and dropped. */
  cached<T>(key: string, build: () => T): T;
  /**
   * Runs `build` against stand-ins to learn every pipeline it asks for, and compiles them all with
   * createComputePipelineAsync (together, without blocking this thread); building for real afterwards
   * finds them compiled.
   */
  precompile(build: () => unknown): Promise<void>;
}

interface PipelineRequest {
  code: string;
  entryPoint: string;
  constants: Record<string, number>;
}

/** What the wrappers touch while building: buffers to fill, bind groups; nothing reaches the GPU. */
const STAND_IN_DEVICE = {
  createBuffer: ({ size }: GPUBufferDescriptor) => ({ getMappedRange: () => new ArrayBuffer(size), unmap: () => {}, destroy: () => {} }),
  createBindGroup: () => ({}),
} as unknown as GPUDevice;
const STAND_IN_PIPELINE = { getBindGroupLayout: () => ({}) } as unknown as GPUComputePipeline;

export function createContext(device: GPUDevice): GpuContext {
  const modules = new Map<string, GPUShaderModule>();
  const pipelines = new Map<string, GPUComputePipeline>();
  const built = new Map<string, unknown>();
  let recording: Map<string, PipelineRequest> | null = null;
  const moduleFor = (code: string) => cachedIn(modules, code, () => device.createShaderModule({ code }));
  return {
    get device() {
      return recording ? STAND_IN_DEVICE : device;
    },
    pipeline(code, entryPoint, constants = {}) {
      const key = `${entryPoint}|${JSON.stringify(constants)}|${code}`;
      const compiled = pipelines.get(key);
      if (compiled) return compiled;
      if (recording) {
        recording.set(key, { code, entryPoint, constants });
        return STAND_IN_PIPELINE;
      }
      return cachedIn(pipelines, key, () => device.createComputePipeline({ layout: 'auto', compute: { module: moduleFor(code), entryPoint, constants } }));
    },
    cached<T>(key: string, build: () => T): T {
      return recording ? build() : cachedIn(built, key, build) as T;
    },
    async precompile(build) {
      const wanted = new Map<string, PipelineRequest>();
      recording = wanted;
      try {
        build();
      } finally {
        recording = null;
      }
      await Promise.all([...wanted].map(async ([key, { code, entryPoint, constants }]) => {
        pipelines.set(key, await device.createComputePipelineAsync({ layout: 'auto', compute: { module: moduleFor(code), entryPoint, constants } }));
      }));
    },
  };
}

const MAX_GROUPS_PER_DIM = 65535;

/** A 2-D grid of 1-D workgroups covering `count` threads (kernels flatten x + y·groups.x·size). */
export function flatGrid(count: number, workgroupSize = 256): [number, number] {
  const groups = Math.max(1, Math.ceil(count / workgroupSize));
  if (groups <= MAX_GROUPS_PER_DIM) return [groups, 1];
  const y = Math.ceil(groups / MAX_GROUPS_PER_DIM);
  return [Math.ceil(groups / y), y];
}

/** A uniform buffer holding the given 32-bit words (u32 or f32 as typed). */
export function uniformBuffer(device: GPUDevice, label: string, words: (number | { f32: number })[]): GPUBuffer {
  const size = Math.max(16, Math.ceil((words.length * 4) / 16) * 16);
  const buffer = device.createBuffer({ label, size, usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST, mappedAtCreation: true });
  const range = buffer.getMappedRange();
  const u32 = new Uint32Array(range);
  const f32 = new Float32Array(range);
  words.forEach((w, i) => {
    if (typeof w === 'number') u32[i] = w;
    else f32[i] = w.f32;
  });
  buffer.unmap();
  return buffer;
}

/** Storage usage plus copies in and out (a function: Node installs the GPU globals at run time). */
export const storageUsage = () => GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST;

export function storageBuffer(device: GPUDevice, label: string, bytes: number): GPUBuffer {
  // Math.max lets NaN through, and WebGPU's answer to it names no buffer ('out of range ... member size').
  if (!Number.isSafeInteger(bytes) || bytes < 0) throw new Error(`buffer ${label}: size must be a whole number of bytes, 0 or more, got ${bytes}`);
  return device.createBuffer({ label, size: Math.max(16, Math.ceil(bytes / 4) * 4), usage: storageUsage() });
}

/** A storage buffer initialised from data (padded to a 4-byte multiple). */
export function storageBufferFrom(device: GPUDevice, label: string, data: Float32Array | Uint32Array): GPUBuffer {
  const buffer = device.createBuffer({ label, size: Math.max(16, data.byteLength), usage: storageUsage(), mappedAtCreation: true });
  const Ctor = data instanceof Float32Array ? Float32Array : Uint32Array;
  new Ctor(buffer.getMappedRange()).set(data);
  buffer.unmap();
  return buffer;
}

export function bindGroup(
  device: GPUDevice, pipeline: GPUComputePipeline, label: string,
  resources: (GPUBuffer | GPUBufferBinding)[],
): GPUBindGroup {
  return device.createBindGroup({
    label,
    layout: pipeline.getBindGroupLayout(0),
    entries: resources.map((r, binding) => ({ binding, resource: 'buffer' in r ? r : { buffer: r } })),
  });
}

export function encodeDispatches(pass: GPUComputePassEncoder, dispatches: Dispatch[]): void {
  for (const d of dispatches) {
    pass.setPipeline(d.pipeline);
    pass.setBindGroup(0, d.bindGroup);
    pass.dispatchWorkgroups(d.workgroups[0], d.workgroups[1]);
  }
}

/** Copies a buffer range to a mappable staging buffer and resolves with its bytes. */
export async function readBuffer(device: GPUDevice, source: GPUBuffer, offset = 0, size = source.size): Promise<ArrayBuffer> {
  const staging = device.createBuffer({ size, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
  const encoder = device.createCommandEncoder();
  encoder.copyBufferToBuffer(source, offset, staging, 0, size);
  device.queue.submit([encoder.finish()]);
  await staging.mapAsync(GPUMapMode.READ);
  const copy = staging.getMappedRange().slice(0);
  staging.destroy();
  return copy;
}

/** Maps a staging buffer made once and copies out its first `size` bytes, leaving it unmapped for the next copy. */
export async function readStaging(staging: GPUBuffer, size: number): Promise<ArrayBuffer> {
  await staging.mapAsync(GPUMapMode.READ, 0, size);
  const bytes = staging.getMappedRange(0, size).slice(0);
  staging.unmap();
  return bytes;
}

/** A binding of `floats` floats starting at float `offset` of a buffer. */
export function slice(buffer: GPUBuffer, offset: number, floats: number): GPUBufferBinding {
  return { buffer, offset: offset * 4, size: Math.max(4, floats * 4) };
}

/** The value `map` holds under `key`, built on first use. */
function cachedIn<K, V>(map: Map<K, V>, key: K, build: () => V): V {
  let value = map.get(key);
  if (value === undefined) {
    value = build();
    map.set(key, value);
  }
  return value;
}
