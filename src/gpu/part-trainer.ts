// The GPU side of one model-parallel worker: its own layers (a pipeline stage's run of layers, or a
// tensor-parallel worker's column/row slices), activation slots for the micro-batches in flight,
// gradients accumulated over micro-batches, and "segments": dispatch lists cut where a partial result
// must be summed across tensor-parallel workers before the computation can go on.
import type { KernelChoice, OptimizerName } from '../core/config';
import type { Dataset } from '../core/datasets';
import type { KernelsRecord } from '../core/metrics';
import type { ModelLayout } from '../core/model';
import type { LayerPart } from '../core/model-parallel';
import type { LrSchedule } from '../core/optimizers';
import { partBuffers, trainingActivationBytes, type PartMemory } from '../core/part-memory';
import {
  createContext, encodeDispatches, readBuffer, slice, storageBuffer, storageBufferFrom, type Dispatch, type GpuContext,
} from './context';
import { gather } from './gather';
import { KernelPlan, planProductKernels, trainingProducts } from './kernel-tuning';
import { layerBackward, layerEpilogue, layerForward, layerMatmul, reluMask, type LayerForwardArgs } from './layer-dispatches';
import { checkMemory, memoryPlan } from './memory';
import { optimizerUpdate, type OptimizerUpdate } from './optimizer';
import { LOSS_STATS_BYTES, softmaxCe } from './softmax-ce';
import { uploadSplit, type SplitBuffers, type SplitName } from './trainer';

/** What the worker trains and holds; the fields its memory plan (core/part-memory.ts) reads are PartMemory's. */
export interface PartSpec extends Omit<PartMemory, 'trainSamples' | 'testSamples'> {
  layout: ModelLayout;
  /** Each local layer's role (see LayerPart). */
  roles: LayerPart['role'][];
  optimizer: OptimizerName;
  lr: LrSchedule;
  /** Gathers its input batch from the data set: the first stage, and every tensor-parallel worker. */
  takesInput: boolean;
  /** Ends in softmax and the loss: the last stage, and every tensor-parallel worker. */
  computesLoss: boolean;
  /** Training micro-batches held at once, and the rows of the largest. */
  slots: number;
  rows: number;
  /** Rows of one evaluation chunk (its own slot). */
  evalRows: number;
  /** Pipeline: each training slot keeps its input only; the layers' activations are one shared set, recomputed before a backward. */
  recompute: boolean;
  /** MiB of GPU memory the worker may plan to use (config memlimit; 0 or none: the lab's limit). */
  memlimit?: number;
  /** Matmul kernels: auto (measured when compiling, on this part's own shapes), or one by name; 'blocked' when not given. */
  kernel?: KernelChoice;
}

/** Dispatches to run in order; after them, `reduce` (if any) must be summed across the tensor-parallel workers. */
export interface Segment {
  dispatches: Dispatch[];
  reduce?: { buffer: GPUBuffer; floats: number };
}

export class PartTrainer {
  readonly ctx: GpuContext;
  readonly device: GPUDevice;
  readonly params: GPUBuffer;
  readonly grads: GPUBuffer;
  readonly m: GPUBuffer;
  readonly v: GPUBuffer;
  /**
   * acts[slot][0] = input [rows, I]; acts[slot][l] = output of local layer l. The last slot is evaluation's.
   * With recomputation acts[slot][l ≥ 1] of the training slots are one shared set of buffers.
   */
  private readonly acts: GPUBuffer[][];
  /** δ of the last local layer, per slot: dlogits kept from forward to backward, or the gradient received. */
  private readonly top: GPUBuffer[];
  /** δ of local layers 1..L−1 (index l), shared: one backward runs at a time. */
  private readonly deltas: GPUBuffer[];
  /** dLoss/d(input) [rows, I], sent to the previous stage. */
  readonly inputGrad: GPUBuffer | null;
  private readonly labels: GPUBuffer[];
  private readonly indices: GPUBuffer[];
  readonly stats: GPUBuffer[];
  private readonly data: Record<SplitName, SplitBuffers> | null;
  private readonly evalIndices: GPUBuffer | null;
  /** Bytes of training activations (all slots): the memory the schedule's in-flight micro-batches cost. */
  readonly activationBytes: number;
  /** Which kernel runs each local layer's matmuls: chosen in compile, before any program is built. */
  private kernels = new KernelPlan();

  constructor(device: GPUDevice, readonly spec: PartSpec, dataset: Dataset, initialParams: Float32Array) {
    const { layout, slots, rows, evalRows } = spec;
    const f = 4;
    const P = layout.totalFloats;
    const widths = layout.sizes;
    const top = widths[widths.length - 1];
    const slotRows = [...new Array<number>(slots).fill(rows), evalRows];
    this.activationBytes = trainingActivationBytes(spec);
    checkMemory(memoryPlan(partBuffers({ ...spec, trainSamples: dataset.train.n, testSamples: dataset.test.n })), device.limits, spec.memlimit);
    this.device = device;
    this.ctx = createContext(device);
    this.params = storageBufferFrom(device, 'params', initialParams);
    this.grads = storageBuffer(device, 'grads', P * f);
    this.m = storageBuffer(device, 'optimizer.m', P * f);
    this.v = storageBuffer(device, 'optimizer.v', P * f);
    const shared = spec.recompute ? widths.map((w, l) => (l === 0 ? null : storageBuffer(device, `recomputed.acts${l}`, rows * w * f))) : [];
    this.acts = slotRows.map((r, s) => widths.map((w, l) => (s < slots ? shared[l] : null) ?? storageBuffer(device, `slot${s}.acts${l}`, r * w * f)));
    this.top = slotRows.map((r, s) => storageBuffer(device, `slot${s}.top`, r * top * f));
    this.deltas = widths.map((w, l) => storageBuffer(device, `delta${l}`, l === 0 || l === widths.length - 1 ? 4 : rows * w * f));
    this.inputGrad = spec.takesInput ? null : storageBuffer(device, 'input.grad', rows * widths[0] * f);
    this.labels = slotRows.map((r, s) => storageBuffer(device, `slot${s}.labels`, r * 4));
    this.indices = slotRows.map((r, s) => storageBuffer(device, `slot${s}.indices`, r * 4));
    this.stats = slotRows.map((_, s) => storageBuffer(device, `slot${s}.stats`, LOSS_STATS_BYTES));
    this.data = spec.takesInput ? { train: uploadSplit(device, 'train', dataset.train), test: uploadSplit(device, 'test', dataset.test) } : null;
    this.evalIndices = spec.takesInput
      ? storageBufferFrom(device, 'eval.indices', Uint32Array.from({ length: dataset.test.n }, (_, i) => i))
      : null;
  }

  private get update(): OptimizerUpdate {
    return this.ctx.cached('update', () => optimizerUpdate(this.ctx, 'update', {
      kind: this.spec.optimizer, lr: this.spec.lr, P: this.spec.layout.totalFloats, grads: this.grads, weights: this.params, m: this.m, v: this.v,
    }));
  }

  /**
   * Builds the update and the programs `build` asks for before training starts, their pipelines compiled
   * asynchronously (all at once, and the thread keeps answering messages).
   */
  async compile(build: () => unknown): Promise<void> {
    // A stage that takes no input sends its first layer's dX back, so that product is its too.
    const products = trainingProducts(this.spec.layout, this.spec.rows, !this.spec.takesInput);
    this.kernels = await planProductKernels(this.ctx, products, this.spec.kernel ?? 'blocked');
    const all = () => [this.update, build()];
    await this.ctx.precompile(all);
    all();
  }

  /** Which kernel runs each local layer's products, and how fast each measured one was (null before compile). */
  get kernelsRecord(): KernelsRecord | null {
    return this.kernels.record;
  }

  /** The evaluation slot's index. */
  get evalSlot(): number {
    return this.spec.slots;
  }

  output(slot: number): GPUBuffer {
    return this.acts[slot][this.spec.layout.layers.length];
  }

  writeIndices(slot: number, ids: Uint32Array): void {
    this.device.queue.writeBuffer(this.indices[slot], 0, ids as Uint32Array<ArrayBuffer>);
  }

  /** Labels for a stage that computes the loss without gathering its own input. */
  writeLabels(slot: number, labels: Uint32Array): void {
    this.device.queue.writeBuffer(this.labels[slot], 0, labels as Uint32Array<ArrayBuffer>);
  }

  /** Activations received from the previous stage. */
  writeInput(slot: number, x: Float32Array): void {
    this.device.queue.writeBuffer(this.acts[slot][0], 0, x as Float32Array<ArrayBuffer>);
  }

  /** dLoss/d(output) received from the next stage. */
  writeTopGrad(slot: number, g: Float32Array): void {
    this.device.queue.writeBuffer(this.top[slot], 0, g as Float32Array<ArrayBuffer>);
  }

  /**
   * Forward of B rows in a slot: gather (if it takes input), the layers, softmax/CE (if it computes the
   * loss, gradients scaled by `scale`). A row-parallel slice ends a segment with its partial output.
   * Evaluation gathers test rows from `evalStart`.
   */
  forward(slot: number, split: SplitName, B: number, scale: number, evalStart = 0): Segment[] {
    return this.ctx.cached(`f:${slot}:${split}:${B}:${scale}:${evalStart}`, () => {
      const { layout, roles } = this.spec;
      const acts = this.acts[slot];
      const L = layout.layers.length;
      const segments: Segment[] = [];
      let current: Dispatch[] = [];
      if (this.data) {
        const indices = split === 'train' ? slice(this.indices[slot], 0, B) : slice(this.evalIndices!, evalStart, B);
        current.push(gather(this.ctx, `${split}.gather`, {
          data: this.data[split].x, labels: this.data[split].y, indices, x: acts[0], y: this.labels[slot], B, D: layout.sizes[0],
        }));
      }
      layout.layers.forEach((layer, i) => {
        const args = this.forwardArgs(i, acts, B);
        if (roles[i] === 'row') {
          current.push(layerMatmul(this.ctx, `fwd${i + 1}`, args));
          segments.push({ dispatches: current, reduce: { buffer: acts[i + 1], floats: B * layer.outputs } });
          current = layerEpilogue(this.ctx, `fwd${i + 1}`, args);
        } else {
          current.push(...layerForward(this.ctx, `fwd${i + 1}`, args));
        }
      });
      if (this.spec.computesLoss) {
        current.push(softmaxCe(this.ctx, 'loss', {
          logits: acts[L], labels: this.labels[slot], dlogits: this.top[slot], stats: this.stats[slot], B, C: layout.layers[L - 1].outputs, scale,
        }));
      }
      segments.push({ dispatches: current });
      return segments;
    });
  }

  /** Local layer i + 1 (0-based i) forward from acts[i] into acts[i + 1], with its kernel. */
  private forwardArgs(i: number, acts: GPUBuffer[], B: number): LayerForwardArgs {
    return { layer: this.spec.layout.layers[i], params: this.params, input: acts[i], output: acts[i + 1], B, kernel: this.kernels.kernelFor(i + 1, 'forward') };
  }

  /**
   * Pipeline recomputation: the stage's layers forward again from a training slot's kept input into the
   * shared set, the same dispatches as its forward. The last stage's logits only fed the loss, whose
   * gradient the slot kept, so its last layer does not run again (and a last stage of one layer recomputes nothing).
   */
  recompute(slot: number, B: number): Segment[] {
    return this.ctx.cached(`r:${slot}:${B}`, () => {
      const L = this.spec.layout.layers.length - (this.spec.computesLoss ? 1 : 0);
      return L === 0 ? [] : [{ dispatches: Array.from({ length: L }, (_, i) => layerForward(this.ctx, `fwd${i + 1}`, this.forwardArgs(i, this.acts[slot], B))).flat() }];
    });
  }

  /**
   * Backward of the B rows in a slot, from its top gradient, adding to the gradients when `accumulate`.
   * A stage that does not take input leaves dLoss/d(input) in inputGrad; a column-parallel slice ends a
   * segment with its partial dX, which is summed across workers before the ReLU mask.
   */
  backward(slot: number, B: number, accumulate: boolean): Segment[] {
    return this.ctx.cached(`b:${slot}:${B}:${accumulate}`, () => {
      const { layout, roles } = this.spec;
      const acts = this.acts[slot];
      const L = layout.layers.length;
      const segments: Segment[] = [];
      let current: Dispatch[] = [];
      const last = layout.layers[L - 1];
      // A stage whose last layer is hidden receives dLoss/d(ReLU output); mask it into δ.
      if (!this.spec.computesLoss && last.relu) current.push(reluMask(this.ctx, 'top', this.top[slot], acts[L], B * last.outputs));
      for (let l = L; l >= 1; l--) {
        const layer = layout.layers[l - 1];
        const delta = l === L ? this.top[slot] : this.deltas[l];
        const partial = roles[l - 1] === 'column';
        let inputGrad: { buffer: GPUBuffer; mask: GPUBuffer | null } | undefined;
        if (l > 1) inputGrad = { buffer: this.deltas[l - 1], mask: partial ? null : acts[l - 1] };
        else if (this.inputGrad) inputGrad = { buffer: this.inputGrad, mask: null };
        current.push(...layerBackward(this.ctx, `bwd${l}`, {
          layer, params: this.params, grads: this.grads, input: acts[l - 1], delta, B, accumulate, inputGrad,
          kernels: { dW: this.kernels.kernelFor(l, 'dW'), dX: this.kernels.kernelFor(l, 'dX') },
        }));
        if (partial && l > 1) {
          segments.push({ dispatches: current, reduce: { buffer: this.deltas[l - 1], floats: B * layer.inputs } });
          current = [reluMask(this.ctx, `bwd${l}`, this.deltas[l - 1], acts[l - 1], B * layer.inputs)];
        }
      }
      segments.push({ dispatches: current });
      return segments;
    });
  }

  /** The optimizer step t (1-based) over this worker's parameters. */
  encodeUpdate(encoder: GPUCommandEncoder, t: number): void {
    this.update.prepare(t);
    const pass = encoder.beginComputePass({ label: 'update' });
    encodeDispatches(pass, [this.update.dispatch]);
    pass.end();
  }

  async readParams(): Promise<Float32Array> {
    return new Float32Array(await readBuffer(this.device, this.params));
  }
}
