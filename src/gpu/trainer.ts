// The single-device GPU trainer: flat parameter, gradient and optimizer-state buffers, the data set
// resident on the GPU, and step programs (bind groups) built once per batch shape.
// A training step is forward → softmax+CE → backward (layer by layer, in reverse) → optimizer update,
// encoded into one command encoder; nothing is read back inside the step.
import type { KernelChoice, OptimizerName } from '../core/config';
import type { Dataset, Split } from '../core/datasets';
import type { KernelsRecord } from '../core/metrics';
import type { TrainerMemory } from '../core/memory-plan';
import type { ModelLayout } from '../core/model';
import { microbatchSizes } from '../core/model-parallel';
import { checkpoints, recomputedBefore, type Checkpoints } from '../core/recompute';
import type { LrSchedule } from '../core/optimizers';
import {
  createContext, encodeDispatches, readBuffer, slice, storageBuffer, storageBufferFrom,
  type Dispatch, type GpuContext,
} from './context';
import { gather } from './gather';
import type { GpuTimer } from './gpu-timer';
import { KernelPlan, planKernels } from './kernel-tuning';
import { layerBackward, layerForward } from './layer-dispatches';
import { checkMemory, planMemory } from './memory';
import { optimizerUpdate, type OptimizerUpdate } from './optimizer';
import { LOSS_STATS_BYTES, softmaxCe, sumLossStats } from './softmax-ce';
import { readTrainingState, writeOptimizerState } from './training-state';

export interface TrainerSpec {
  layout: ModelLayout;
  optimizer: OptimizerName;
  lr: LrSchedule;
  /** Most rows any micro-batch or evaluation chunk uses. */
  maxRows: number;
  /**
   * Micro-batches each step's rows are cut into (gradient accumulation): each one's gradients and loss are
   * added to the earlier ones', so the update sees the whole batch's with activations for a micro-batch.
   */
  accumulate: number;
  /** Matmul kernels: auto (measured when compiling), or one by name; 'blocked' when not given. */
  kernel?: KernelChoice;
  /** MiB of GPU memory the worker may plan to use (config memlimit; 0 or none: the lab's limit). */
  memlimit?: number;
  /** Activation recomputation (core/recompute.ts): segment inputs kept, the rest recomputed in the backward. */
  recompute?: boolean;
  /**
   * What else the worker holds, for the memory check (core/memory-plan.ts): a replica's staging buffer, no
   * good-state backups with ZeRO, whose shard of the optimizer state (gpu/zero-shard.ts) replaces m and v.
   */
  memory?: Partial<Pick<TrainerMemory, 'backups' | 'staging' | 'zero'>>;
}

export type SplitName = 'train' | 'test';

export interface SplitBuffers {
  /** [N, D] */
  x: GPUBuffer;
  /** [N] u32 */
  y: GPUBuffer;
  n: number;
}

/** Evaluation reads the test set in chunks of this many rows (a multiple of 64 for aligned offsets). */
export const EVAL_CHUNK = 512;

export class Trainer {
  readonly ctx: GpuContext;
  readonly device: GPUDevice;
  /** Flat buffers [P] in the model layout. */
  readonly params: GPUBuffer;
  readonly grads: GPUBuffer;
  readonly m: GPUBuffer;
  readonly v: GPUBuffer;
  /** LossStats of the latest step (its micro-batches summed) or evaluation chunk. */
  readonly stats: GPUBuffer;
  /**
   * acts[0] = input batch [maxRows, D]; acts[l] = output of layer l [maxRows, sizes[l]]. With recomputation
   * a segment's interior activations are shared buffers (the same GPUBuffer at several l).
   */
  private readonly acts: GPUBuffer[];
  private readonly checkpoints: Checkpoints;
  /** deltas[l] = dLoss/d(pre-activation of layer l) [maxRows, sizes[l]]; deltas[0] unused. */
  private readonly deltas: GPUBuffer[];
  /** [maxRows] u32 labels of the current batch. */
  private readonly batchLabels: GPUBuffer;
  /** [accumulate, indexStride] u32 sample ids of the current step, micro-batch k's from k·indexStride. */
  private readonly batchIndices: GPUBuffer;
  /** maxRows rounded up to 64 ids (256 bytes), so each micro-batch's ids start at an aligned offset. */
  private readonly indexStride: number;
  /** [testN] u32: 0..testN−1, so evaluation chunks gather by offset. */
  private readonly evalIndices: GPUBuffer;
  private readonly data: Record<SplitName, SplitBuffers>;
  /** Which kernel runs each layer's matmuls: chosen in compile, before any program is built. */
  private kernels = new KernelPlan();

  constructor(device: GPUDevice, readonly spec: TrainerSpec, dataset: Dataset, initialParams: Float32Array) {
    const { layout, maxRows } = spec;
    checkMemory(planMemory(layout, maxRows, dataset.train.n, dataset.test.n, { accumulate: spec.accumulate, recompute: spec.recompute, ...spec.memory }), device.limits, spec.memlimit);
    this.device = device;
    this.ctx = createContext(device);
    const P = layout.totalFloats;
    this.params = storageBufferFrom(device, 'params', initialParams);
    this.grads = storageBuffer(device, 'grads', P * 4);
    const stateFloats = spec.memory?.zero ? 0 : P;
    this.m = storageBuffer(device, 'optimizer.m', stateFloats * 4);
    this.v = storageBuffer(device, 'optimizer.v', stateFloats * 4);
    this.stats = storageBuffer(device, 'loss.stats', LOSS_STATS_BYTES);
    this.checkpoints = checkpoints(layout.sizes, spec.recompute ?? false);
    const shared = this.checkpoints.sharedWidths.map((w, i) => storageBuffer(device, `recomputed${i + 1}`, maxRows * w * 4));
    this.acts = layout.sizes.map((w, l) => shared[this.checkpoints.shared[l]] ?? storageBuffer(device, `acts${l}`, maxRows * w * 4));
    this.deltas = layout.sizes.map((w, l) => storageBuffer(device, `delta${l}`, l === 0 ? 4 : maxRows * w * 4));
    this.batchLabels = storageBuffer(device, 'batch.labels', maxRows * 4);
    this.indexStride = Math.ceil(maxRows / 64) * 64;
    this.batchIndices = storageBuffer(device, 'batch.indices', spec.accumulate * this.indexStride * 4);
    this.evalIndices = storageBufferFrom(device, 'eval.indices', Uint32Array.from({ length: dataset.test.n }, (_, i) => i));
    this.data = { train: uploadSplit(device, 'train', dataset.train), test: uploadSplit(device, 'test', dataset.test) };
  }

  private get update(): OptimizerUpdate {
    return this.ctx.cached('update', () => optimizerUpdate(this.ctx, 'update', {
      kind: this.spec.optimizer, lr: this.spec.lr, P: this.layout.totalFloats, grads: this.grads, weights: this.params, m: this.m, v: this.v,
    }));
  }

  get layout(): ModelLayout {
    return this.spec.layout;
  }

  testSize(): number {
    return this.data.test.n;
  }

  /** Gather + forward + softmax/CE (+ fused dlogits) for B rows of a split; `accumulate` adds the loss to the stats. */
  private forward(split: SplitName, indices: GPUBufferBinding, B: number, scale: number, accumulate = false): Dispatch[] {
    const { layers } = this.layout;
    const D = this.layout.sizes[0];
    const L = layers.length;
    const out: Dispatch[] = [
      gather(this.ctx, `${split}.gather`, {
        data: this.data[split].x, labels: this.data[split].y, indices, x: this.acts[0], y: this.batchLabels, B, D,
      }),
    ];
    out.push(...this.layersForward(1, L, B));
    out.push(softmaxCe(this.ctx, 'loss', {
      logits: this.acts[L], labels: this.batchLabels, dlogits: this.deltas[L], stats: this.stats,
      B, C: layers[L - 1].outputs, scale, accumulate,
    }));
    return out;
  }

  /** Layers first..last (1-based) forward, each from acts[l − 1] into acts[l]: the forward pass, or a segment recomputed. */
  private layersForward(first: number, last: number, B: number): Dispatch[] {
    return this.layout.layers.slice(first - 1, last).flatMap((layer, k) => layerForward(this.ctx, `fwd${first + k}`, {
      layer, params: this.params, input: this.acts[first + k - 1], output: this.acts[first + k], B, kernel: this.kernels.kernelFor(first + k, 'forward'),
    }));
  }

  /**
   * Backward, layer by layer in reverse: dW = Aᵀ·δ, db = Σ_rows δ (added to grads with `accumulate`), δ_prev = (δ·Wᵀ) ⊙ relu'(A).
   * With recomputation a segment's interior is recomputed from its kept input before its last layer's backward.
   */
  private backward(B: number, accumulate: boolean): Dispatch[] {
    const { layers } = this.layout;
    return layers.map((_, i) => i + 1).reverse().flatMap((l) => {
      const again = recomputedBefore(this.checkpoints, l, layers.length);
      return [...(again ? this.layersForward(again[0], again[1], B) : []), ...layerBackward(this.ctx, `bwd${l}`, {
        layer: layers[l - 1], params: this.params, grads: this.grads, input: this.acts[l - 1], delta: this.deltas[l], B,
        accumulate, inputGrad: l > 1 ? { buffer: this.deltas[l - 1], mask: this.acts[l - 1] } : undefined,
        kernels: { dW: this.kernels.kernelFor(l, 'dW'), dX: this.kernels.kernelFor(l, 'dX') },
      })];
    });
  }

  private program(key: string, build: () => Dispatch[]): Dispatch[] {
    return this.ctx.cached(key, build);
  }

  /** Micro-batch k of a step (B rows): its ids at k·indexStride; after the first, gradients and loss add up. */
  private gradProgram(B: number, globalBatch: number, k: number): Dispatch[] {
    return this.program(`grad:${B}:${globalBatch}:${k}`, () => [
      ...this.forward('train', slice(this.batchIndices, k * this.indexStride, B), B, 1 / globalBatch, k > 0),
      ...this.backward(B, k > 0),
    ]);
  }

  private evalProgram(chunk: number): Dispatch[] {
    const start = chunk * EVAL_CHUNK;
    const B = Math.min(EVAL_CHUNK, this.data.test.n - start);
    return this.program(`eval:${chunk}`, () => this.forward('test', slice(this.evalIndices, start, B), B, 1 / B));
  }

  /**
   * Builds the programs of a first training step, the update and evaluation before training starts,
   * their pipelines compiled asynchronously (all at once, and the thread keeps answering messages).
   */
  async compile(rows: number, globalBatch: number): Promise<void> {
    const sizes = microbatchSizes(rows, this.spec.accumulate);
    this.kernels = await planKernels(this.ctx, this.layout, sizes[0], this.spec.kernel ?? 'blocked');
    const chunks = Math.ceil(this.data.test.n / EVAL_CHUNK);
    const build = () => [sizes.map((B, k) => this.gradProgram(B, globalBatch, k)), this.update, Array.from({ length: chunks }, (_, c) => this.evalProgram(c))];
    await this.ctx.precompile(build);
    build();
  }

  /**
   * Encodes forward and backward for the given training sample ids, micro-batch by micro-batch in one
   * pass; gradients are scaled by 1/globalBatch so they sum to the global-batch mean across micro-batches
   * and replicas. A timer stamps the pass; `then` (the update, on one device) runs in the same pass.
   */
  encodeGradients(encoder: GPUCommandEncoder, indices: Uint32Array, globalBatch: number, timer: GpuTimer | null = null, then: Dispatch[] = []): void {
    const sizes = microbatchSizes(indices.length, this.spec.accumulate);
    if (indices.length < 1 || sizes[0] > this.spec.maxRows) {
      throw new Error(`batch of ${indices.length} rows outside 1..${this.spec.maxRows * this.spec.accumulate}`);
    }
    const laidOut = new Uint32Array((sizes.length - 1) * this.indexStride + sizes[sizes.length - 1]);
    sizes.reduce((at, B, k) => (laidOut.set(indices.subarray(at, at + B), k * this.indexStride), at + B), 0);
    this.device.queue.writeBuffer(this.batchIndices, 0, laidOut);
    const pass = encoder.beginComputePass({ label: 'gradients', timestampWrites: timer?.passWrites() });
    sizes.forEach((B, k) => encodeDispatches(pass, this.gradProgram(B, globalBatch, k)));
    encodeDispatches(pass, then);
    pass.end();
    timer?.resolve(encoder);
  }

  /** Encodes the optimizer update for step t (1-based) from the gradient buffer. */
  encodeUpdate(encoder: GPUCommandEncoder, t: number): void {
    this.update.prepare(t);
    const pass = encoder.beginComputePass({ label: 'update' });
    encodeDispatches(pass, [this.update.dispatch]);
    pass.end();
  }

  /** One whole training step in one submit; the step's LossStats is copied to statsLog at statsOffset. */
  step(indices: Uint32Array, t: number, statsLog: GPUBuffer, statsOffset: number): void {
    const encoder = this.device.createCommandEncoder({ label: 'step' });
    // One compute pass for the whole step: the update follows the backward in it (dispatches in a pass
    // run in order and see each other's writes), one pass fewer per step than the replicas' path.
    this.update.prepare(t);
    this.encodeGradients(encoder, indices, indices.length, null, [this.update.dispatch]);
    encoder.copyBufferToBuffer(this.stats, 0, statsLog, statsOffset, LOSS_STATS_BYTES);
    this.device.queue.submit([encoder.finish()]);
  }

  /** Forward over the whole test set in chunks; returns summed loss and correct count. */
  async evaluate(): Promise<{ loss: number; accuracy: number }> {
    const n = this.data.test.n;
    const chunks = Math.ceil(n / EVAL_CHUNK);
    const log = storageBuffer(this.device, 'eval.log', chunks * LOSS_STATS_BYTES);
    const encoder = this.device.createCommandEncoder({ label: 'evaluate' });
    for (let c = 0; c < chunks; c++) {
      const dispatches = this.evalProgram(c);
      const pass = encoder.beginComputePass({ label: `evaluate ${c}` });
      encodeDispatches(pass, dispatches);
      pass.end();
      encoder.copyBufferToBuffer(this.stats, 0, log, c * LOSS_STATS_BYTES, LOSS_STATS_BYTES);
    }
    this.device.queue.submit([encoder.finish()]);
    const { lossSum, correct } = sumLossStats(await readBuffer(this.device, log), chunks);
    log.destroy();
    return { loss: lossSum / n, accuracy: correct / n };
  }

  /** Which kernel runs each product, and how fast each measured one was (null before compile). */
  get kernelsRecord(): KernelsRecord | null {
    return this.kernels.record;
  }

  async readParams(): Promise<Float32Array> {
    return new Float32Array(await readBuffer(this.device, this.params));
  }

  /** Weights and optimizer state after all submitted steps, labelled with the step count. */
  readState(step: number): Promise<{ step: number; params: Float32Array; m: Float32Array; v: Float32Array }> {
    return readTrainingState(this.device, this, step);
  }

  restoreOptimizerState(m: Float32Array, v: Float32Array): void {
    writeOptimizerState(this.device, this, m, v);
  }

  async readGrads(): Promise<Float32Array> {
    return new Float32Array(await readBuffer(this.device, this.grads));
  }
}

/**
 * Builds a trainer inside GPU error scopes, so an allocation the device cannot satisfy or an invalid
 * pipeline is reported with its message instead of surfacing later as a lost device or silent zeros.
 */
export function createTrainer(device: GPUDevice, spec: TrainerSpec, dataset: Dataset, initialParams: Float32Array): Promise<Trainer> {
  return buildChecked(device, () => new Trainer(device, spec, dataset, initialParams));
}

/** What `build` makes on the device, inside GPU error scopes (createTrainer). */
export async function buildChecked<T>(device: GPUDevice, build: () => T): Promise<T> {
  device.pushErrorScope('out-of-memory');
  device.pushErrorScope('validation');
  let trainer: T | null = null;
  let thrown: unknown = null;
  try {
    trainer = build();
  } catch (e) {
    thrown = e;
  }
  const validation = await device.popErrorScope();
  const outOfMemory = await device.popErrorScope();
  if (thrown) throw thrown;
  if (outOfMemory) throw new Error(`the GPU ran out of memory setting up this model: ${outOfMemory.message}; use fewer or narrower layers or a smaller batch`);
  if (validation) throw new Error(`the GPU refused the trainer's setup: ${validation.message}`);
  return trainer!;
}

export function uploadSplit(device: GPUDevice, name: string, split: Split): SplitBuffers {
  return {
    x: storageBufferFrom(device, `${name}.x`, split.x),
    y: storageBufferFrom(device, `${name}.y`, Uint32Array.from(split.y)),
    n: split.n,
  };
}
