// WebGPU in Node through Dawn's `webgpu` package (CLI and tests). Never imported by the page.
// Where no Vulkan driver gives an adapter (a machine without a GPU), falls back to the SwiftShader
// Vulkan driver that Debian's chromium package ships.
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { create, globals } from 'webgpu';
import { requestDevice } from './device';

const SWIFTSHADER_ICD = '/usr/lib/chromium/vk_swiftshader_icd.json';

/** Without a GPU device node, skip the hardware drivers (they only print warnings) and use SwiftShader. */
function noGpuDevice(): boolean {
  return !existsSync('/dev/dri') && !existsSync('/dev/nvidia0') && !existsSync('/dev/dxg');
}

export function nodeGpu(): GPU {
  Object.assign(globalThis, globals);
  return create([]);
}

/** Every Dawn instance made stays referenced: destroying one that failed to find a driver aborts Node. */
const instances: GPU[] = [];

/**
 * Picks SwiftShader where there is no GPU. Call it in the main thread before starting worker threads:
 * the Vulkan loader reads the process environment, which a worker thread's process.env does not change.
 */
export function configureVulkanDriver(): void {
  if (!process.env.VK_ICD_FILENAMES && existsSync(SWIFTSHADER_ICD) && noGpuDevice()) process.env.VK_ICD_FILENAMES = SWIFTSHADER_ICD;
  // SwiftShader's Vulkan driver complains on stderr without a runtime dir; give it one.
  process.env.XDG_RUNTIME_DIR ??= tmpdir();
}

export async function requestNodeDevice(): Promise<GPUDevice> {
  const canFallBack = !process.env.VK_ICD_FILENAMES && existsSync(SWIFTSHADER_ICD);
  configureVulkanDriver();
  instances.push(nodeGpu());
  if (!(await instances[0].requestAdapter()) && canFallBack && !process.env.VK_ICD_FILENAMES) {
    process.env.VK_ICD_FILENAMES = SWIFTSHADER_ICD;
    instances.push(create([]));
  }
  return requestDevice(instances[instances.length - 1]);
}
