// The bench page's TensorFlow.js side (webgpu backend): the identical model, 784-64-10 with ReLU, Adam at
// 0.001, sparse categorical cross-entropy, from the lab's initial weights, on the identical batches, and
// tf.matMul at the lab's shapes.
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-webgpu';
import type { WebGPUBackend } from '@tensorflow/tfjs-backend-webgpu';
import { loadDataset } from '../../src/core/datasets';
import { initParams, layerSizes, modelLayout } from '../../src/core/model';
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

/** The training set on the GPU, loaded once. */
let data: Promise<{ x: tf.Tensor2D; y: tf.Tensor1D }> | null = null;
/** One model per batch size, each starting from the lab's seeded initial weights, as the lab's trainers do. */
const models = new Map<number, TfModel>();
const order = (n: number) => epochOrder(1, 1, n);

async function modelFor(batch: number): Promise<TfModel> {
  data ??= loadDataset('mnist', 1, fetchAsset).then((d) => ({
    x: tf.tensor2d(d.train.x, [d.train.n, d.inputs]),
    y: tf.tensor1d(Int32Array.from(d.train.y), 'int32'),
  }));
  const { x, y } = await data;
  let model = models.get(batch);
  if (!model) {
    const layout = modelLayout(layerSizes({ layers: [64] }, x.shape[1], 10));
    const flat = initParams(layout, 1);
    const vars = layout.layers.flatMap((l) => [
      tf.variable(tf.tensor2d(flat.subarray(l.w.offset, l.w.offset + l.w.size), [l.inputs, l.outputs])),
      tf.variable(tf.tensor1d(flat.subarray(l.b.offset, l.b.offset + l.b.size))),
    ]);
    model = { x, y, vars, optimizer: tf.train.adam(0.001) };
    models.set(batch, model);
  }
  return model;
}

/** One training step on the sample ids; returns the loss when asked. */
function tfStep({ x, y, vars, optimizer }: TfModel, ids: Uint32Array, returnLoss: boolean): tf.Scalar | null {
  const [w1, b1, w2, b2] = vars;
  const idx = tf.tensor1d(Int32Array.from(ids), 'int32');
  const loss = optimizer.minimize(() => {
    const xb = tf.gather(x, idx);
    const logits = tf.relu(xb.matMul(w1).add(b1)).matMul(w2).add(b2);
    return tf.losses.softmaxCrossEntropy(tf.oneHot(tf.gather(y, idx), 10), logits);
  }, returnLoss, vars);
  idx.dispose();
  return loss;
}

/** Milliseconds for `steps` training steps at `batch` from step `first`, ending with the loss read back. */
export async function tfTrain(batch: number, steps: number, first: number): Promise<{ ms: number; loss: number }> {
  const model = await modelFor(batch);
  const n = model.x.shape[0];
  const perEpoch = stepsPerEpoch(n, batch);
  const ids = order(n);
  let loss: tf.Scalar | null = null;
  const start = performance.now();
  for (let i = 0; i < steps; i++) {
    loss?.dispose();
    loss = tfStep(model, batchIndices(ids, batch, (first + i - 1) % perEpoch), i === steps - 1);
  }
  const value = (await loss!.data())[0];
  loss!.dispose();
  return { ms: performance.now() - start, loss: value };
}

/** Kernels TF.js runs for one training step (tf.profile), to set beside the lab's dispatches per step. */
export async function tfKernelsPerStep(batch: number): Promise<number> {
  const m = await modelFor(batch);
  const info = await tf.profile(() => { tfStep(m, batchIndices(order(m.x.shape[0]), batch, 0), false); });
  return info.kernels.length;
}
