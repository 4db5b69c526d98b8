// The bench page's TensorFlow.js side (webgpu backend): the identical model, 784-64-10 with ReLU, Adam at
// 0.001, sparse categorical cross-entropy, on the identical batches, and tf.matMul at the lab's shapes.
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-webgpu';
import type { WebGPUBackend } from '@tensorflow/tfjs-backend-webgpu';
import { loadDataset } from '../../src/core/datasets';
import { batchIndices, epochOrder, stepsPerEpoch } from '../../src/core/sampler';
import { fetchAsset } from '../../src/parallel/fetch-asset';
import { median, SAMPLES_BUDGET_MS, type MatmulShape } from '../kernels';

export async function startTf(): Promise<string> {
  if (!(await tf.setBackend('webgpu'))) throw new Error('TensorFlow.js could not start its webgpu backend');
  await tf.ready();
  return `tfjs ${tf.version.tfjs}, backend ${tf.getBackend()}`;
}

function backend(): WebGPUBackend {
  return tf.backend() as WebGPUBackend;
}

/** Waits until every queued TF.js kernel has run on the GPU, with no readback. */
async function gpuIdle(): Promise<void> {
  backend().endComputePassEncoder();
  backend().submitQueue();
  await backend().device.queue.onSubmittedWorkDone();
}

async function timeOnce(run: () => void): Promise<number> {
  const start = performance.now();
  run();
  await gpuIdle();
  return performance.now() - start;
}

/** Median milliseconds of one tf.matMul, timed like the lab's (see timeMatmul in bench/kernels.ts). */
export async function tfMatmul(s: MatmulShape, samples: number, sampleMs: number, warm: boolean): Promise<number> {
  const a = tf.randomUniform(s.transA ? [s.K, s.M] : [s.M, s.K], -0.5, 0.5);
  const b = tf.randomUniform(s.transB ? [s.N, s.K] : [s.K, s.N], -0.5, 0.5);
  const once = (repeat: number) => timeOnce(() => {
    for (let r = 0; r < repeat; r++) tf.matMul(a, b, s.transA, s.transB).dispose();
  });
  const first = await once(1);
  const repeat = Math.max(1, Math.min(64, Math.round(sampleMs / Math.max(first, 0.01))));
  const times: number[] = warm && first > 2 * sampleMs ? [first] : [];
  while (times.length < samples && (times.length === 0 || times.reduce((x, y) => x + y, 0) < SAMPLES_BUDGET_MS)) {
    times.push((await once(repeat)) / repeat);
  }
  a.dispose();
  b.dispose();
  return median(times);
}

interface TfModel {
  x: tf.Tensor2D;
  y: tf.Tensor1D;
  vars: tf.Variable[];
  optimizer: tf.Optimizer;
}

let model: TfModel | null = null;
const order = (n: number) => epochOrder(1, 1, n);

async function build(): Promise<TfModel> {
  const dataset = await loadDataset('mnist', 1, fetchAsset);
  const glorot = (fanIn: number, fanOut: number) => tf.variable(tf.randomUniform([fanIn, fanOut], -1, 1).mul(Math.sqrt(6 / (fanIn + fanOut))));
  return {
    x: tf.tensor2d(dataset.train.x, [dataset.train.n, dataset.inputs]),
    y: tf.tensor1d(Int32Array.from(dataset.train.y), 'int32'),
    vars: [glorot(784, 64), tf.variable(tf.zeros([64])), glorot(64, 10), tf.variable(tf.zeros([10]))],
    optimizer: tf.train.adam(0.001),
  };
}

/** Milliseconds for `steps` training steps at `batch` from step `first`, ending with the loss read back. */
export async function tfTrain(batch: number, steps: number, first: number): Promise<{ ms: number; loss: number }> {
  model ??= await build();
  const { x, y, vars, optimizer } = model;
  const [w1, b1, w2, b2] = vars;
  const n = x.shape[0];
  const perEpoch = stepsPerEpoch(n, batch);
  const ids = order(n);
  let loss: tf.Scalar | null = null;
  const start = performance.now();
  for (let i = 0; i < steps; i++) {
    const idx = tf.tensor1d(Int32Array.from(batchIndices(ids, batch, (first + i - 1) % perEpoch)), 'int32');
    loss?.dispose();
    loss = optimizer.minimize(() => {
      const xb = tf.gather(x, idx);
      const logits = tf.relu(xb.matMul(w1).add(b1)).matMul(w2).add(b2);
      return tf.losses.softmaxCrossEntropy(tf.oneHot(tf.gather(y, idx), 10), logits);
    }, i === steps - 1, vars);
    idx.dispose();
  }
  const value = (await loss!.data())[0];
  loss!.dispose();
  return { ms: performance.now() - start, loss: value };
}
