// Shown instead of a silent failure when this browser cannot run WebGPU: what is wrong and how to fix it.
import { useLab } from '../store';

export function WebGpuNotice() {
  const gpu = useLab((s) => s.gpu);
  if (gpu.state !== 'unavailable') return null;
  return (
    <section className="webgpu-notice" aria-labelledby="webgpu-notice-title">
      <h2 id="webgpu-notice-title">WebGPU is not available, so training is off</h2>
      <p>{gpu.reason}</p>
      <ul>
        <li>On Linux, start Chromium or Chrome with <code>--enable-unsafe-webgpu</code>, and <code>--enable-features=Vulkan</code> to use a real GPU.</li>
        <li><code>chrome://gpu</code> shows whether WebGPU is hardware accelerated; a blocklisted GPU can be allowed at <code>chrome://flags/#enable-unsafe-webgpu</code>.</li>
        <li>Then reload this page: the settings are in the link and stay as they are.</li>
      </ul>
    </section>
  );
}
