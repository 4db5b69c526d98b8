// fp32 peaks of the adapters the GPU bench may meet, so it can say what share of the peak a matmul reaches.
// Vendor figures for non-tensor-core FP32 (dense), in TFLOP/s, at boost clock:
//   H200 SXM 67, H200 NVL 60    https://www.nvidia.com/en-us/data-center/h200/ (datasheet table "FP32")
//   H100 SXM 67, H100 PCIe 51, H100 NVL 60    https://www.nvidia.com/en-us/data-center/h100/ ("FP32")
//   A100 19.5    https://www.nvidia.com/en-us/data-center/a100/ ("FP32")
//   L40S 91.6    https://www.nvidia.com/en-us/data-center/l40s/ ("FP32")
//   L4 30.3      https://www.nvidia.com/en-us/data-center/l4/ ("FP32")
//   A10 / A10G 31.2    https://www.nvidia.com/en-us/data-center/products/a10-gpu/ ("FP32")
//   T4 8.1       https://www.nvidia.com/en-us/data-center/tesla-t4/ ("Single-Precision")
//   V100 SXM2 15.7, PCIe 14    https://www.nvidia.com/en-us/data-center/v100/ ("Single-Precision")
//   RTX 4090 82.6    NVIDIA Ada Lovelace architecture whitepaper v2.1, table 2 ("Peak FP32 TFLOPS (non-Tensor)")
//   RTX 3090 35.6    NVIDIA Ampere GA102 whitepaper v2.1, table 9 ("Peak FP32 TFLOPS (non-Tensor)")
// An adapter matches the first pattern its name (vendor, architecture, device, description) matches.

const PEAKS: [RegExp, string, number][] = [
  [/H200.*NVL/i, 'H200 NVL', 60],
  [/H200/i, 'H200 SXM', 67],
  [/H100.*PCIe/i, 'H100 PCIe', 51],
  [/H100.*NVL/i, 'H100 NVL', 60],
  [/H100/i, 'H100 SXM', 67],
  [/A100/i, 'A100', 19.5],
  [/L40S/i, 'L40S', 91.6],
  [/\bL4\b/i, 'L4', 30.3],
  [/\bA10G?\b/i, 'A10', 31.2],
  [/\bT4\b/i, 'T4', 8.1],
  [/V100.*PCIe/i, 'V100 PCIe', 14],
  [/V100/i, 'V100 SXM2', 15.7],
  [/RTX 4090/i, 'RTX 4090', 82.6],
  [/RTX 3090/i, 'RTX 3090', 35.6],
];

/** The adapter's fp32 peak in GFLOP/s and the table's name for it, or null when the table does not know it. */
export function fp32Peak(adapter: string): { name: string; gflops: number } | null {
  const hit = PEAKS.find(([pattern]) => pattern.test(adapter));
  return hit ? { name: hit[1], gflops: hit[2] * 1000 } : null;
}
