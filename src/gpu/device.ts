// Device acquisition for the page and its workers, and the limits the lab asks for.

export class WebGpuUnavailableError extends Error {}

/** Asks for the adapter's full storage limits, so large models fit where the adapter allows. */
export function wantedLimits(adapter: GPUAdapter): Record<string, number> {
  return {
    maxStorageBufferBindingSize: adapter.limits.maxStorageBufferBindingSize,
    maxBufferSize: adapter.limits.maxBufferSize,
  };
}

export async function requestDevice(gpu: GPU | undefined): Promise<GPUDevice> {
  if (!gpu) {
    throw new WebGpuUnavailableError(
      'WebGPU is not available in this browser. Use Chrome or Edge 113+ (on Linux start Chromium with --enable-unsafe-webgpu), or Safari 26+.',
    );
  }
  const adapter = await gpu.requestAdapter();
  if (!adapter) {
    throw new WebGpuUnavailableError(
      'WebGPU is present but found no GPU adapter. Check chrome://gpu; on Linux start Chromium with --enable-unsafe-webgpu.',
    );
  }
  // Timestamps let data-parallel replicas report the GPU's own compute time.
  const requiredFeatures: GPUFeatureName[] = adapter.features.has('timestamp-query') ? ['timestamp-query'] : [];
  return adapter.requestDevice({ requiredLimits: wantedLimits(adapter), requiredFeatures });
}
