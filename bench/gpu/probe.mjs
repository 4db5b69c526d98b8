// Which WebGPU adapter Dawn finds with this environment's Vulkan driver: one JSON line on stdout, exit 0
// when there is one. Run from the lab's root by pack-run.sh while it looks for the GPU's Vulkan driver.
import { create, globals } from 'webgpu';

const out = { icd: process.env.VK_ICD_FILENAMES ?? null };
const timer = setTimeout(() => { out.error = 'no answer within 30 s'; finish(); }, 30_000);
function finish() {
  clearTimeout(timer);
  process.stdout.write(`${JSON.stringify(out)}\n`);
  // Exiting at once: letting Dawn's instance be collected after a failed search can abort Node.
  process.exit(out.adapter ? 0 : 1);
}
try {
  Object.assign(globalThis, globals);
  const adapter = await create([]).requestAdapter({ powerPreference: 'high-performance' });
  if (adapter) {
    const { vendor, architecture, device, description } = adapter.info;
    out.adapter = [vendor, architecture, device, description].filter(Boolean).join(' ');
    out.cpu = /swiftshader|llvmpipe|lavapipe/i.test(out.adapter);
  } else {
    out.error = 'requestAdapter() gave null';
  }
} catch (e) {
  out.error = String(e?.stack ?? e).slice(0, 1000);
}
finish();
