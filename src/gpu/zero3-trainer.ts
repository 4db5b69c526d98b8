// A ZeRO stage 3 replica's GPU side (FSDP-style): it holds only its shard of the flat weights, its shard of
// the gradient and (gpu/zero-shard.ts) of the optimizer state, and ONE layer-sized weight buffer and one
// layer-sized gradient buffer that each layer's all-gathered weights and its gradient pass through in turn.
// A step submits layer by layer: the layer's weights written into the layer buffer (queue-ordered after the
// previous layer's work, so one buffer suffices), then that layer's forward or backward, the same kernels as
// the whole-model trainer (layer-dispatches.ts, gather.ts, softmax-ce.ts) bound at the layer's offset 0.
// Stage 2 (`resident`) keeps the whole weights instead of a shard and a layer buffer, and only the gradient
// passes through the layer-sized buffer. With accumulate=k > 1 (stage 3 only) the gradient buffer is the whole
// model's instead, as FSDP's under no_sync: each micro-batch's backward writes every layer's gradient at its own
// offsets (the first overwrites, the later ones add, as gpu/trainer.ts's micro-batches do), and only the last
// micro-batch's backward reads each layer's sum back for the reduce-scatter: zero=0's float32 sums, to the bit.
// With recompute=1 the activations live as in gpu/trainer.ts (segment inputs kept, the rest in shared buffers),
// and a segment's interior layers run their forward again, each with its weights gathered again, before the
// backward of the layer that ends it.
import type { Dataset } from '../core/datasets';
import type { LayerSlots } from '../core/model';
import { microbatchSizes } from '../core/model-parallel';
import { checkpoints, recomputedBefore, type Checkpoints } from '../core/recompute';
import { layerRanges, type Shard } from '../core/zero-shards';
import { createContext, encodeDispatches, readBuffer, readStaging, slice, storageBuffer, storageBufferFrom, type Dispatch, type GpuContext } from './context';
import { gather } from './gather';
import { KernelPlan, planKernels } from './kernel-tuning';
import { layerBackward, layerForward } from './layer-dispatches';
import { checkMemory, planMemory } from './memory';
import { LOSS_STATS_BYTES, decodeLossStats, softmaxCe, sumLossStats, type LossStats } from './softmax-ce';
import { EVAL_CHUNK, uploadSplit, type SplitBuffers, type SplitName, type TrainerSpec } from './trainer';
import { ZeroShard } from './zero-shard';

export class Zero3Trainer {
  readonly ctx: GpuContext;
  /** [hi − lo] each: this replica's weights (stage 2: [P], all of them) and summed gradient, the flat vector's [lo, hi). */
  readonly params: GPUBuffer;
  readonly grads: GPUBuffer;
  /** Its optimizer state and update. */
  readonly zero: ZeroShard;
  /** [largest layer] one layer's weights (stage 3) at the layer's offsets less its start. */
  private readonly layerWeights: GPUBuffer | null;
  /** [largest layer] one layer's gradient like the weights; with accumulate > 1 [P], the whole model's gradient accumulator. */
  private readonly layerGrads: GPUBuffer;
  readonly ranges: Shard[];
  private readonly stats: GPUBuffer;
  /** [largest layer or shard | LossStats]: a layer's gradient with the loss, or the updated shard. */
  private readonly staging: GPUBuffer;
  private readonly statsAt: number;
  private readonly checkpoints: Checkpoints;
  private readonly acts: GPUBuffer[];
  private readonly deltas: GPUBuffer[];
  private readonly batchLabels: GPUBuffer;
  private readonly batchIndices: GPUBuffer;
  private readonly evalIndices: GPUBuffer;
  private readonly data: Record<SplitName, SplitBuffers>;
  private kernels = new KernelPlan();
  /** The shard's weights after the latest update, which the layer all-gathers send. */
  weights: Float32Array;

  constructor(
    readonly device: GPUDevice, readonly spec: TrainerSpec, readonly shard: Shard, dataset: Dataset, initialParams: Float32Array, readonly resident = false,
  ) {
    const { layout, maxRows } = spec;
    checkMemory(planMemory(layout, maxRows, dataset.train.n, dataset.test.n, {
      accumulate: spec.accumulate, recompute: spec.recompute, staging: true, backups: false, ...spec.memory,
    }), device.limits, spec.memlimit);
    this.ctx = createContext(device);
    this.ranges = layerRanges(layout.layers, layout.totalFloats);
    const widest = Math.max(...this.ranges.map((r) => r.hi - r.lo));
    this.weights = initialParams.slice(shard.lo, shard.hi);
    this.params = storageBufferFrom(device, 'zero.params', resident ? initialParams : this.weights);
    this.grads = storageBuffer(device, 'zero.grads', this.weights.length * 4);
    this.zero = new ZeroShard(this, shard, { params: resident ? 0 : shard.lo, grads: shard.lo });
    this.layerWeights = resident ? null : storageBuffer(device, 'zero3.layer weights', widest * 4);
    this.layerGrads = this.accumulating ? storageBuffer(device, 'zero3.grad accumulator', layout.totalFloats * 4) : storageBuffer(device, 'zero3.layer grads', widest * 4);
    this.stats = storageBuffer(device, 'loss.stats', LOSS_STATS_BYTES);
    this.statsAt = Math.max(widest, this.weights.length) * 4;
    this.staging = device.createBuffer({ size: this.statsAt + LOSS_STATS_BYTES, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
    this.checkpoints = checkpoints(layout.sizes, spec.recompute ?? false);
    const shared = this.checkpoints.sharedWidths.map((w, i) => storageBuffer(device, `recomputed${i + 1}`, maxRows * w * 4));
    this.acts = layout.sizes.map((w, l) => shared[this.checkpoints.shared[l]] ?? storageBuffer(device, `acts${l}`, maxRows * w * 4));
    this.deltas = layout.sizes.map((w, l) => storageBuffer(device, `delta${l}`, l === 0 ? 4 : maxRows * w * 4));
    this.batchLabels = storageBuffer(device, 'batch.labels', maxRows * 4);
    this.batchIndices = storageBuffer(device, 'batch.indices', Math.ceil(maxRows / 64) * 64 * 4);
    this.evalIndices = storageBufferFrom(device, 'eval.indices', Uint32Array.from({ length: dataset.test.n }, (_, i) => i));
    this.data = { train: uploadSplit(device, 'train', dataset.train), test: uploadSplit(device, 'test', dataset.test) };
  }

  get layout() {
    return this.spec.layout;
  }

  /** Micro-batches add up in the whole-model gradient accumulator (accumulate > 1). */
  get accumulating(): boolean {
    return this.spec.accumulate > 1;
  }

  /** Where layer l's gradient lies in the gradient buffer: the accumulator's own offsets, or the layer buffer's. */
  private gradSlots(l: number): LayerSlots {
    return this.accumulating ? this.layout.layers[l] : this.local(l);
  }

  /** Layer l's slots in a layer buffer: its offsets less the layer's start (W at 0, b 64-float aligned after it). */
  private local(l: number): LayerSlots {
    const layer = this.layout.layers[l];
    const at = this.ranges[l].lo;
    return { ...layer, w: { ...layer.w, offset: layer.w.offset - at }, b: { ...layer.b, offset: layer.b.offset - at } };
  }

  /** Where layer l's weights are bound: the layer buffer (stage 3), or the whole resident weights (stage 2). */
  private weightsOf(l: number): { layer: LayerSlots; params: GPUBuffer } {
    return this.layerWeights ? { layer: this.local(l), params: this.layerWeights } : { layer: this.layout.layers[l], params: this.params };
  }

  /** Layer l's forward over B rows of a split (the first also gathers the rows, the last adds softmax+CE; `add`: to the loss so far). */
  private forwardProgram(split: SplitName, l: number, B: number, scale: number, start: number, add = false): Dispatch[] {
    return this.ctx.cached(`fwd:${split}:${l}:${B}:${scale}:${start}:${add}`, () => {
      const L = this.layout.layers.length;
      const indices = split === 'train' ? slice(this.batchIndices, 0, B) : slice(this.evalIndices, start, B);
      const out: Dispatch[] = l > 0 ? [] : [gather(this.ctx, `${split}.gather`, {
        data: this.data[split].x, labels: this.data[split].y, indices, x: this.acts[0], y: this.batchLabels, B, D: this.layout.sizes[0],
      })];
      out.push(...layerForward(this.ctx, `fwd${l + 1}`, {
        ...this.weightsOf(l), input: this.acts[l], output: this.acts[l + 1], B, kernel: this.kernels.kernelFor(l + 1, 'forward'),
      }));
      if (l === L - 1) {
        out.push(softmaxCe(this.ctx, 'loss', {
          logits: this.acts[L], labels: this.batchLabels, dlogits: this.deltas[L], stats: this.stats, B, C: this.layout.layers[l].outputs, scale, accumulate: add,
        }));
      }
      return out;
    });
  }

  /** Layer l's forward of a training micro-batch again, from its kept or recomputed input. */
  private recomputeProgram(l: number, B: number): Dispatch[] {
    return this.ctx.cached(`re:${l}:${B}`, () => layerForward(this.ctx, `fwd${l + 1}`, {
      ...this.weightsOf(l), input: this.acts[l], output: this.acts[l + 1], B, kernel: this.kernels.kernelFor(l + 1, 'forward'),
    }));
  }

  /** Layer l's dW and db into the gradient buffer (`add`: to the earlier micro-batches'), and the δ of the layer before it. */
  private backwardProgram(l: number, B: number, add: boolean): Dispatch[] {
    return this.ctx.cached(`bwd:${l}:${B}:${add}`, () => layerBackward(this.ctx, `bwd${l + 1}`, {
      ...this.weightsOf(l), grads: this.layerGrads, gradSlots: this.gradSlots(l), input: this.acts[l], delta: this.deltas[l + 1], B,
      accumulate: add, inputGrad: l > 0 ? { buffer: this.deltas[l], mask: this.acts[l] } : undefined,
      kernels: { dW: this.kernels.kernelFor(l + 1, 'dW'), dX: this.kernels.kernelFor(l + 1, 'dX') },
    }));
  }

  /** Picks the matmul kernels for micro-batches of a first step of `rows` rows and compiles its and evaluation's pipelines. */
  async compile(rows: number, globalBatch: number): Promise<void> {
    const sizes = microbatchSizes(rows, this.spec.accumulate);
    this.kernels = await planKernels(this.ctx, this.layout, sizes[0], this.spec.kernel ?? 'blocked');
    const layers = this.layout.layers.map((_, l) => l);
    const build = () => [
      sizes.map((B, k) => layers.map((l) => [
        this.forwardProgram('train', l, B, 1 / globalBatch, 0, k > 0), this.recomputedBefore(l).map((j) => this.recomputeProgram(j, B)), this.backwardProgram(l, B, k > 0),
      ])),
      layers.map((l) => this.evalForward(0, l)),
    ];
    await this.ctx.precompile(build);
    build();
  }

  /** Which kernel runs each product (null before compile). */
  get kernelsRecord() {
    return this.kernels.record;
  }

  /** One micro-batch's sample ids (the queue orders each write after the previous micro-batch's work). */
  setBatch(ids: Uint32Array): void {
    if (ids.length < 1 || ids.length > this.spec.maxRows) throw new Error(`batch of ${ids.length} rows outside 1..${this.spec.maxRows}`);
    this.device.queue.writeBuffer(this.batchIndices, 0, ids as Uint32Array<ArrayBuffer>);
  }

  private submit(label: string, weights: Float32Array | null, dispatches: Dispatch[], then?: (e: GPUCommandEncoder) => void, before?: (e: GPUCommandEncoder) => void): void {
    if (this.layerWeights && weights) this.device.queue.writeBuffer(this.layerWeights, 0, weights as Float32Array<ArrayBuffer>);
    const encoder = this.device.createCommandEncoder({ label });
    before?.(encoder);
    const pass = encoder.beginComputePass({ label });
    encodeDispatches(pass, dispatches);
    pass.end();
    then?.(encoder);
    this.device.queue.submit([encoder.finish()]);
  }

  /**
   * Layer l's forward of micro-batch k's B rows with its all-gathered weights (null: resident); gradients come
   * out scaled by 1/globalRows, and after the first micro-batch the loss adds to the step's.
   */
  forward(l: number, weights: Float32Array | null, B: number, globalRows: number, k = 0): void {
    this.submit(`zero3 forward ${l + 1}`, weights, this.forwardProgram('train', l, B, 1 / globalRows, 0, k > 0));
  }

  /** The layers (0-based, in order) whose forward runs again just before layer l's backward (recompute=1; none otherwise). */
  recomputedBefore(l: number): number[] {
    const again = recomputedBefore(this.checkpoints, l + 1, this.layout.layers.length);
    return again ? Array.from({ length: again[1] - again[0] + 1 }, (_, i) => again[0] - 1 + i) : [];
  }

  /** Layer l's forward of the current micro-batch's B rows again, with its all-gathered weights (null: resident). */
  recompute(l: number, weights: Float32Array | null, B: number): void {
    this.submit(`zero3 recompute ${l + 1}`, weights, this.recomputeProgram(l, B));
  }

  /** Layer l's backward of micro-batch k (not the last) with its all-gathered weights, its gradient added in the accumulator. */
  accumulateBackward(l: number, weights: Float32Array | null, B: number, k: number): void {
    this.submit(`zero3 backward ${l + 1} (micro-batch ${k + 1})`, weights, this.backwardProgram(l, B, k > 0));
  }

  /**
   * Layer l's backward of the step's last micro-batch (k) with its all-gathered weights; resolves with its
   * gradient [its range], summed over the micro-batches, and the step's loss.
   */
  async backward(l: number, weights: Float32Array | null, B: number, k = 0): Promise<{ grads: Float32Array; stats: LossStats }> {
    const floats = this.ranges[l].hi - this.ranges[l].lo;
    // The layer buffer is cleared first, so the padding between W and b keeps zero=0's zero gradient (a larger
    // layer wrote there); the accumulator's padding is never written and stays zero.
    this.submit(`zero3 backward ${l + 1}`, weights, this.backwardProgram(l, B, k > 0), (encoder) => {
      encoder.copyBufferToBuffer(this.layerGrads, this.accumulating ? this.ranges[l].lo * 4 : 0, this.staging, 0, floats * 4);
      encoder.copyBufferToBuffer(this.stats, 0, this.staging, this.statsAt, LOSS_STATS_BYTES);
    }, this.accumulating ? undefined : (encoder) => encoder.clearBuffer(this.layerGrads));
    const bytes = await readStaging(this.staging, this.statsAt + LOSS_STATS_BYTES);
    return { grads: new Float32Array(bytes, 0, floats), stats: decodeLossStats(bytes, this.statsAt) };
  }

  /** This replica's chunk of the summed gradient of the flat vector's [at, at + chunk.length). */
  writeGradients(at: number, chunk: Float32Array): void {
    if (chunk.length) this.device.queue.writeBuffer(this.grads, (at - this.shard.lo) * 4, chunk as Float32Array<ArrayBuffer>);
  }

  /** The shard's update of step t (1-based; null: none, a non-finite sum), then its weights read back. */
  async update(t: number | null): Promise<Float32Array> {
    if (t === null || this.weights.length === 0) return this.weights;
    const encoder = this.device.createCommandEncoder({ label: `zero3 update ${t}` });
    this.zero.encodeUpdate(encoder, t);
    encoder.copyBufferToBuffer(this.params, (this.resident ? this.shard.lo : 0) * 4, this.staging, 0, this.weights.length * 4);
    this.device.queue.submit([encoder.finish()]);
    this.weights = new Float32Array(await readStaging(this.staging, this.weights.length * 4));
    return this.weights;
  }

  /** Stage 2: the whole weights all-gathered after the update. */
  writeParams(params: Float32Array): void {
    this.device.queue.writeBuffer(this.params, 0, params as Float32Array<ArrayBuffer>);
  }

  testSize(): number {
    return this.data.test.n;
  }

  private evalForward(chunk: number, l: number): Dispatch[] {
    const start = chunk * EVAL_CHUNK;
    const B = Math.min(EVAL_CHUNK, this.data.test.n - start);
    return this.forwardProgram('test', l, B, 1 / B, start);
  }

  /**
   * The test set, chunk by chunk and layer by layer, each layer's weights from `gatherLayer` (every replica
   * takes part in each all-gather; only the one with `compute` runs the layers and resolves with the result).
   * Stage 2 gathers nothing (null).
   */
  async evaluate(gatherLayer: ((l: number) => Promise<Float32Array>) | null, compute: boolean): Promise<{ loss: number; accuracy: number } | null> {
    const n = this.data.test.n;
    const chunks = Math.ceil(n / EVAL_CHUNK);
    const L = this.layout.layers.length;
    const log = compute ? storageBuffer(this.device, 'eval.log', chunks * LOSS_STATS_BYTES) : null;
    for (let c = 0; c < chunks; c++) {
      for (let l = 0; l < L; l++) {
        const weights = gatherLayer ? await gatherLayer(l) : null;
        if (!log) continue;
        this.submit(`zero3 evaluate ${c}.${l + 1}`, weights, this.evalForward(c, l), l < L - 1 ? undefined
          : (encoder) => encoder.copyBufferToBuffer(this.stats, 0, log, c * LOSS_STATS_BYTES, LOSS_STATS_BYTES));
      }
    }
    if (!log) return null;
    const { lossSum, correct } = sumLossStats(await readBuffer(this.device, log), chunks);
    log.destroy();
    return { loss: lossSum / n, accuracy: correct / n };
  }

  /** The shard's weights placed in a vector of the whole model's length (zeros elsewhere): the coordinator merges them. Stage 2: all. */
  async readParams(): Promise<Float32Array> {
    if (this.resident) return new Float32Array(await readBuffer(this.device, this.params));
    const whole = new Float32Array(this.layout.totalFloats);
    whole.set(this.weights, this.shard.lo);
    return whole;
  }

  /** This shard's weights and optimizer state, zeros elsewhere (zero-states.ts mergeShards assembles the run's). */
  async readState(step: number): Promise<{ step: number; params: Float32Array; m: Float32Array; v: Float32Array }> {
    const [params, moments] = await Promise.all([this.readParams(), this.zero.readMoments()]);
    return { step, params, ...moments };
  }
}
