// Matmul GFLOP/s and buffer-copy bandwidth on one GPUDevice, measured the same way by the Dawn part
// (Node) and by the bench page's lab worker: wall clock from submit to onSubmittedWorkDone, medians.
import { createContext, storageBuffer, storageBufferFrom, encodeDispatches, type Dispatch, type GpuContext } from '../src/gpu/context';
import { matmul, matmulWith, vec4Aligned } from '../src/gpu/matmul';

/** One matmul C[M, N] = op(A)·op(B); the training shapes are those of MNIST 784-64-10 at batch B. */
export interface MatmulShape {
  name: string;
  M: number;
  N: number;
  K: number;
  transA?: boolean;
  transB?: boolean;
}

export const SQUARE_SHAPES: MatmulShape[] = [256, 512, 1024].map((n) => ({ name: `${n}²`, M: n, N: n, K: n }));

/** Forward X·W, the weight gradient Xᵀ·δ, and the input gradient δ·Wᵀ of the 784→64 layer. */
export function trainingShapes(B: number): MatmulShape[] {
  return [
    { name: `X·W ${B}×784·784×64`, M: B, N: 64, K: 784 },
    { name: `Xᵀ·δ 784×${B}·${B}×64`, M: 784, N: 64, K: B, transA: true },
    { name: `δ·Wᵀ ${B}×64·64×784`, M: B, N: 784, K: 64, transB: true },
  ];
}

export const ALL_SHAPES: MatmulShape[] = [...SQUARE_SHAPES, ...trainingShapes(128), ...trainingShapes(1024)];

export const flops = (s: MatmulShape) => 2 * s.M * s.N * s.K;

const sum = (xs: number[]) => xs.reduce((s, x) => s + x, 0);

/** Past this many milliseconds of samples a measurement takes no more (one 1024² matmul on a loaded CPU rasteriser can take a minute). */
export const SAMPLES_BUDGET_MS = 5000;

export const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

/** A variant of the lab's matmul: how it builds its dispatches for a shape from A, B and C buffers. */
export interface MatmulVariant {
  name: string;
  applies?: (s: MatmulShape) => boolean;
  build(ctx: GpuContext, s: MatmulShape, a: GPUBuffer, b: GPUBuffer, c: GPUBuffer): Dispatch[];
}

/** What the lab runs: the wrapper's choice of kernel for the shape. */
export const LAB_MATMUL: MatmulVariant = { name: 'lab matmul', build: (ctx, s, a, b, c) => [matmul(ctx, s.name, { a, b, c, ...s })] };

/** Each kernel the lab ships, on its own, where it applies. */
export const MATMUL_KERNELS: MatmulVariant[] = [
  { name: 'matmul.wgsl', build: (ctx, s, a, b, c) => [matmulWith('scalar', ctx, s.name, { a, b, c, ...s })] },
  { name: 'matmul_vec4.wgsl', applies: vec4Aligned, build: (ctx, s, a, b, c) => [matmulWith('vec4', ctx, s.name, { a, b, c, ...s })] },
];

/** Milliseconds from submitting `repeat` copies of the dispatches in one pass to the queue being idle. */
async function timeSubmit(device: GPUDevice, dispatches: Dispatch[], repeat: number): Promise<number> {
  const encoder = device.createCommandEncoder();
  const pass = encoder.beginComputePass();
  for (let r = 0; r < repeat; r++) encodeDispatches(pass, dispatches);
  pass.end();
  const start = performance.now();
  device.queue.submit([encoder.finish()]);
  await device.queue.onSubmittedWorkDone();
  return performance.now() - start;
}

/**
 * Times a matmul: a first run sizes the repeat count so a sample takes about `sampleMs`, then `samples`
 * timed submits (fewer past SAMPLES_BUDGET_MS); returns the median milliseconds of one matmul. Once this shape has run before
 * (`warm`), a first run that took over 2·sampleMs (1024² on a CPU rasteriser) is itself the first sample.
 */
export async function timeMatmul(
  ctx: GpuContext, variant: MatmulVariant, s: MatmulShape, samples: number, sampleMs: number, warm = false,
): Promise<number> {
  const fill = (n: number) => Float32Array.from({ length: n }, (_, i) => ((i * 7919) % 1000) / 1000 - 0.5);
  const a = storageBufferFrom(ctx.device, 'bench.a', fill(s.M * s.K));
  const b = storageBufferFrom(ctx.device, 'bench.b', fill(s.K * s.N));
  const c = storageBuffer(ctx.device, 'bench.c', s.M * s.N * 4);
  const dispatches = variant.build(ctx, s, a, b, c);
  const first = await timeSubmit(ctx.device, dispatches, 1);
  const repeat = Math.max(1, Math.min(64, Math.round(sampleMs / Math.max(first, 0.01))));
  const times: number[] = warm && first > 2 * sampleMs ? [first] : [];
  while (times.length < samples && (times.length === 0 || sum(times) < SAMPLES_BUDGET_MS)) {
    times.push((await timeSubmit(ctx.device, dispatches, repeat)) / repeat);
  }
  for (const buffer of [a, b, c]) buffer.destroy();
  return median(times);
}

/** Buffer-to-buffer copy bandwidth in GB/s (bytes read plus bytes written), median of `samples`. */
export async function copyBandwidth(device: GPUDevice, bytes: number, samples: number): Promise<number> {
  const src = storageBuffer(device, 'bench.copy.src', bytes);
  const dst = storageBuffer(device, 'bench.copy.dst', bytes);
  const rates: number[] = [];
  for (let i = 0; i <= samples; i++) {
    const encoder = device.createCommandEncoder();
    encoder.copyBufferToBuffer(src, 0, dst, 0, bytes);
    const start = performance.now();
    device.queue.submit([encoder.finish()]);
    await device.queue.onSubmittedWorkDone();
    if (i > 0) rates.push((2 * bytes) / ((performance.now() - start) * 1e6));
  }
  src.destroy();
  dst.destroy();
  return median(rates);
}

export interface MatmulResult {
  variant: string;
  shape: string;
  M: number;
  N: number;
  K: number;
  ms: number;
  gflops: number;
}

/** Every kernel at every shape it applies to, in order; `onResult` sees each as it lands. */
export async function benchMatmuls(
  device: GPUDevice, shapes: MatmulShape[], samples: number, sampleMs: number, onResult?: (r: MatmulResult) => void,
): Promise<MatmulResult[]> {
  const ctx = createContext(device);
  const out: MatmulResult[] = [];
  for (const shape of shapes) {
    for (const variant of MATMUL_KERNELS.filter((v) => v.applies?.(shape) ?? true)) {
      // Pipelines compile before the first run, so a long first run counts as a sample (warm).
      const ms = await timeMatmul(ctx, variant, shape, samples, sampleMs, true);
      const r = { variant: variant.name, shape: shape.name, M: shape.M, N: shape.N, K: shape.K, ms, gflops: flops(shape) / (ms * 1e6) };
      onResult?.(r);
      out.push(r);
    }
  }
  return out;
}
