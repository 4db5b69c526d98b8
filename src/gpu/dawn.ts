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

export async function requestNodeDevice(): Promise<GPUDevice> {
  const canFallBack = !process.env.VK_ICD_FILENAMES && existsSync(SWIFTSHADER_ICD);
  if (canFallBack && noGpuDevice()) process.env.VK_ICD_FILENAMES = SWIFTSHADER_ICD;
  // SwiftShader's Vulkan driver complains on stderr without a runtime dir; give it a private one.
  process.env.XDG_RUNTIME_DIR ??= tmpdir();
  instances.push(nodeGpu());
  if (!(await instances[0].requestAdapter()) && canFallBack && !process.env.VK_ICD_FILENAMES) {
    process.env.VK_ICD_FILENAMES = SWIFTSHADER_ICD;
    instances.push(create([]));
  }
  return requestDevice(instances[instances.length - 1]);
}
