// TensorFlow.js 4.22 on its webgpu backend, on the bench's own Dawn device: its two UMD bundles loaded
// into this process (no browser), the backend built around the device the lab's kernels use, so both
// run on the same adapter, queue and limits. Loaded from node_modules/@tensorflow/*/dist, which the
// GPU pack carries.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import vm from 'node:vm';
import type { Dataset } from '../../src/core/datasets';

/* The bundles' global, untyped here: the bench touches a handful of its functions. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Tf = any;

const BUNDLES = ['@tensorflow/tfjs/dist/tf.es2017.min.js', '@tensorflow/tfjs-backend-webgpu/dist/tf-backend-webgpu.es2017.min.js'];

export interface TfjsBench {
  version: string;
  matmulMs(n: number, sampleMs: number): Promise<number>;
  /** Training samples/s of a dense ReLU network (784-…-10), Adam, softmax cross-entropy, over `steps` timed steps. */
  trainSamplesPerSec(hidden: number[], batch: number, steps: number): Promise<{ samplesPerSec: number; firstLoss: number; lastLoss: number }>;
}

export async function loadTfjs(root: string, device: GPUDevice, dataset: Dataset): Promise<TfjsBench> {
  const g = globalThis as Record<string, unknown>;
  // The bundles' Node platform code calls require; Node 21+ has a read-only navigator the backend reads.
  g.require ??= createRequire(join(root, 'package.json'));
  Object.defineProperty(globalThis, 'navigator', { value: { gpu: {}, userAgent: `node ${process.version}`, hardwareConcurrency: 1 }, configurable: true, writable: true });
  for (const file of BUNDLES) vm.runInThisContext(readFileSync(join(root, 'node_modules', file), 'utf8'), { filename: file });
  const tf: Tf = g.tf;
  tf.removeBackend('webgpu');
  tf.registerBackend('webgpu', () => new tf.WebGPUBackend(device, (device as GPUDevice & { adapterInfo?: GPUAdapterInfo }).adapterInfo), 3);
  if (!(await tf.setBackend('webgpu'))) throw new Error('TensorFlow.js could not start its webgpu backend on the bench device');
  await tf.ready();
  const backend = tf.backend();
  /** Submits what TF.js has queued and waits for the GPU (what the backend does before a readback). */
  const sync = async () => {
    backend.ensureCommandEncoderReady();
    backend.endComputePassEncoder();
    backend.submitQueue();
    await device.queue.onSubmittedWorkDone();
  };
  const X = tf.tensor2d(dataset.train.x, [dataset.train.n, dataset.inputs]);
  const Y = tf.tensor1d(Int32Array.from(dataset.train.y), 'int32');

  return {
    version: tf.version?.tfjs ?? tf.version_core,
    async matmulMs(n, sampleMs) {
      const fill = Float32Array.from({ length: n * n }, (_, i) => ((i * 7919) % 1000) / 1000 - 0.5);
      const [a, b] = [tf.tensor2d(fill, [n, n]), tf.tensor2d(fill, [n, n])];
      const run = async (repeat: number) => {
        const start = performance.now();
        for (let r = 0; r < repeat; r++) tf.matMul(a, b).dispose();
        await sync();
        return performance.now() - start;
      };
      await run(1);
      const first = await run(1);
      const repeat = Math.max(1, Math.min(64, Math.round(sampleMs / Math.max(first, 0.01))));
      const ms = Math.min(await run(repeat), await run(repeat)) / repeat;
      a.dispose();
      b.dispose();
      return ms;
    },
    async trainSamplesPerSec(hidden, batch, steps) {
      const dims = [dataset.inputs, ...hidden, dataset.classes];
      const vars: Tf[] = [];
      dims.slice(1).forEach((out, i) => {
        const limit = Math.sqrt(6 / (dims[i] + out));
        vars.push(tf.variable(tf.randomUniform([dims[i], out], -limit, limit, 'float32', 7 + i)), tf.variable(tf.zeros([out])));
      });
      const optimizer = tf.train.adam(1e-3, 0.9, 0.999, 1e-7);
      let at = 0;
      const step = () => tf.tidy(() => {
        if (at + batch > dataset.train.n) at = 0;
        const ids = tf.range(at, at + batch, 1, 'int32');
        at += batch;
        const labels = tf.oneHot(tf.gather(Y, ids), dataset.classes);
        return optimizer.minimize(() => {
          let h = tf.gather(X, ids);
          for (let l = 0; l < dims.length - 1; l++) {
            h = tf.add(tf.matMul(h, vars[2 * l]), vars[2 * l + 1]);
            if (l < dims.length - 2) h = tf.relu(h);
          }
          return tf.losses.softmaxCrossEntropy(labels, h);
        }, true, vars);
      });
      // Warm-up (compiles every program), then the loss read back every 16 steps as the lab's loss log is.
      const warm = step();
      const firstLoss = (await warm.data())[0];
      warm.dispose();
      const start = performance.now();
      let lastLoss = NaN;
      for (let s = 1; s <= steps; s++) {
        const loss = step();
        if (s % 16 === 0 || s === steps) lastLoss = (await loss.data())[0];
        loss.dispose();
      }
      const seconds = (performance.now() - start) / 1000;
      optimizer.dispose();
      for (const v of vars) v.dispose();
      return { samplesPerSec: (steps * batch) / seconds, firstLoss, lastLoss };
    },
  };
}
