// Checks on the page whether WebGPU can train here, before Train is enabled; the wording of a
// failure comes from the device module that the training worker uses too.
import { requestDevice, WebGpuUnavailableError } from '../../gpu/device';
import type { GpuSupport } from '../store';

export async function probeWebGpu(): Promise<GpuSupport> {
  try {
    const device = await requestDevice(navigator.gpu);
    device.destroy();
    return { state: 'available' };
  } catch (e) {
    if (e instanceof WebGpuUnavailableError) return { state: 'unavailable', reason: e.message };
    return { state: 'unavailable', reason: `WebGPU could not create a device: ${e instanceof Error ? e.message : String(e)}` };
  }
}
