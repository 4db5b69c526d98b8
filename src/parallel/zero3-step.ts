// A ZeRO stage 3 replica's step (FSDP-style): layer by layer, each layer's weights all-gathered from every
// rank's shard just before its forward, and again before its backward (the layer buffer holds one layer at a
// time); each layer's gradient reduce-scattered as soon as the backward has it, this rank keeping its chunk;
// then its shard's update, elementwise as at zero=0, and no all-gather of the whole weights. Traffic per step:
// two all-gathers and a reduce-scatter of the model, 3K(N−1)/N on a ring against DDP's 2K(N−1)/N.
// With accumulate=k, as FSDP under no_sync, every micro-batch gathers each layer before its forward and its
// backward, the micro-batches but the last only add their gradients up in the replica's whole-model
// accumulator, and the last one's backward reduce-scatters each layer's sum: 2K(N−1)/N of gathers per
// micro-batch and K(N−1)/N of reduce-scatter per step, (2k + 1)K(N−1)/N in all. With recompute=1 each layer
// whose forward runs again before a backward is gathered again for it (core/zero-shards.ts stage3SentFloats).
// Stage 2 (zero2Step) keeps the weights whole and resident: the same layer-by-layer reduce-scatter of the
// gradient, then the whole weights all-gathered after the update as at stage 1, 2K(N−1)/N.
import { paramsFingerprint } from '../core/checksum';
import { microbatchSizes } from '../core/model-parallel';
import { layerBounds, ownedChunk, zeroBounds } from '../core/zero-shards';
import type { LossStats } from '../gpu/softmax-ce';
import type { Zero3Trainer } from '../gpu/zero3-trainer';
import type { AllreduceResult, AllreduceRounds } from './allreduce';
import type { ReplicaHandover } from './replica-handover';
import type { StepReport } from './replica-protocol';
import { nonFiniteIn, PhaseClock, type StepOutcome } from './replica-steps';

/** What the layer collectives read of a stage 3 trainer: the layers' ranges, and its shard and the weights it holds. */
export type ShardedWeights = Pick<Zero3Trainer, 'layout' | 'ranges' | 'shard' | 'weights'>;

/** The layer collectives of one rank: zero-shards.ts's chunks clipped to each layer's range. */
export class LayerExchange {
  private readonly bounds: number[];
  private readonly own: number;
  bytesSent = 0;
  badInput: StepReport['badInput'];

  constructor(private readonly allreduce: AllreduceRounds, private readonly trainer: ShardedWeights, rank: number, world: number) {
    this.bounds = zeroBounds(trainer.layout.totalFloats, world);
    this.own = ownedChunk(rank, world);
  }

  private count(r: AllreduceResult): Float32Array {
    this.bytesSent += r.bytesSent;
    this.badInput ??= r.badInput;
    return r.sum;
  }

  /** Layer l's weights [its range], every rank's shard of it (possibly none) in place. */
  async gather(l: number): Promise<Float32Array> {
    const range = this.trainer.ranges[l];
    const chunks = layerBounds(this.bounds, range);
    const [from, to] = [range.lo + chunks[this.own], range.lo + chunks[this.own + 1]];
    const { lo } = this.trainer.shard;
    const mine = to > from ? this.trainer.weights.subarray(from - lo, to - lo) : new Float32Array(0);
    return this.count(await this.allreduce.allGather(mine, range.hi - range.lo, chunks, this.own));
  }

  /** Layer l's gradient summed over the ranks: this rank's chunk of it, and the float of the flat vector it starts at. */
  async scatter(l: number, grads: Float32Array): Promise<{ at: number; chunk: Float32Array }> {
    const range = this.trainer.ranges[l];
    const chunks = layerBounds(this.bounds, range);
    return { at: range.lo + chunks[this.own], chunk: this.count(await this.allreduce.reduceScatter(grads, chunks, this.own, 1)) };
  }

  /**
   * The whole weights on the host: stage 2's after each update, stage 3's at the end of the run (every rank
   * checksums them, rank 0 hands them over). `poisoned`: this shard took no update and goes round as NaN, so
   * that no replica takes the step's weights.
   */
  async gatherAll(poisoned = false): Promise<Float32Array> {
    const { weights } = this.trainer;
    const mine = poisoned ? new Float32Array(weights.length).fill(NaN) : weights;
    return this.count(await this.allreduce.allGather(mine, this.trainer.layout.totalFloats, this.bounds, this.own));
  }
}

/**
 * The weights of layer l's backward: first the layers recomputation runs again before it (recompute=1), each
 * gathered again (stage 3) and run forward, then layer l's own, gathered (stage 3) or resident (null).
 */
async function backwardWeights(trainer: Zero3Trainer, exchange: LayerExchange, clock: PhaseClock, l: number, B: number, gather: boolean): Promise<Float32Array | null> {
  for (const j of trainer.recomputedBefore(l)) {
    const weights = gather ? await exchange.gather(j) : null;
    if (gather) clock.lap('allreduceMs');
    trainer.recompute(j, weights, B);
  }
  const weights = gather ? await exchange.gather(l) : null;
  if (gather) clock.lap('allreduceMs');
  return weights;
}

/**
 * The backward, layer by layer in reverse (stage 3: each layer's weights gathered first), each layer's gradient
 * reduce-scattered as soon as it is read back and this rank's chunk written into its gradient shard.
 */
async function backwardLayers(
  trainer: Zero3Trainer, exchange: LayerExchange, clock: PhaseClock, B: number, gather: boolean, k = 0,
): Promise<{ stats: LossStats; nonFinite: StepReport['nonFinite'] }> {
  let stats = { lossSum: 0, correct: 0 };
  let own: StepReport['nonFinite'];
  let sum: StepReport['nonFinite'];
  // Every exchange runs even after a non-finite value, or the other replicas would wait for this one forever.
  for (let l = trainer.layout.layers.length - 1; l >= 0; l--) {
    const weights = await backwardWeights(trainer, exchange, clock, l, B, gather);
    const out = await trainer.backward(l, weights, B, k);
    clock.lap('computeMs');
    if (l === trainer.layout.layers.length - 1) {
      stats = out.stats;
      if (!Number.isFinite(stats.lossSum)) own = { what: 'loss', value: stats.lossSum };
    }
    own ??= nonFiniteIn(out.grads, 'gradient');
    const { at, chunk } = await exchange.scatter(l, out.grads);
    clock.lap('allreduceMs');
    sum ??= nonFiniteIn(chunk, 'sum');
    trainer.writeGradients(at, chunk);
  }
  return { stats, nonFinite: own ?? sum };
}

/** The step's ids cut into its micro-batches, in order, as gpu/trainer.ts cuts them. */
function microbatchesOf(ids: Uint32Array, accumulate: number): Uint32Array[] {
  let at = 0;
  return microbatchSizes(ids.length, accumulate).map((B) => ids.subarray(at, (at += B)));
}

/** Micro-batch k's forward, each layer's weights gathered first. */
async function gatheredForward(trainer: Zero3Trainer, exchange: LayerExchange, clock: PhaseClock, batch: Uint32Array, globalRows: number, k: number): Promise<void> {
  trainer.setBatch(batch);
  for (let l = 0; l < trainer.layout.layers.length; l++) {
    const weights = await exchange.gather(l);
    clock.lap('allreduceMs');
    trainer.forward(l, weights, batch.length, globalRows, k);
  }
}

export async function zero3Step(
  trainer: Zero3Trainer, allreduce: AllreduceRounds, handover: ReplicaHandover, rank: number, world: number,
  step: number, ids: Uint32Array, globalRows: number,
): Promise<StepOutcome> {
  const clock = new PhaseClock();
  const exchange = new LayerExchange(allreduce, trainer, rank, world);
  const micro = microbatchesOf(ids, trainer.spec.accumulate);
  const last = micro.length - 1;
  for (let k = 0; k < last; k++) {
    await gatheredForward(trainer, exchange, clock, micro[k], globalRows, k);
    // Under no_sync: the layers' gradients add up in the accumulator, nothing leaves the replica.
    for (let l = trainer.layout.layers.length - 1; l >= 0; l--) {
      trainer.accumulateBackward(l, await backwardWeights(trainer, exchange, clock, l, micro[k].length, true), micro[k].length, k);
    }
  }
  await gatheredForward(trainer, exchange, clock, micro[last], globalRows, last);
  const { stats, nonFinite } = await backwardLayers(trainer, exchange, clock, micro[last].length, true, last);
  if (!nonFinite) handover.judge(step, stats.lossSum / ids.length);
  await trainer.update(nonFinite ? null : step);
  if (!nonFinite) handover.updated(step);
  clock.lap('updateMs');
  return {
    ...stats, times: clock.times, gpuTimed: false, bytesSent: exchange.bytesSent, checksum: undefined, drift: undefined, nonFinite, badInput: exchange.badInput,
  };
}

export async function zero2Step(
  trainer: Zero3Trainer, allreduce: AllreduceRounds, handover: ReplicaHandover, rank: number, world: number,
  step: number, ids: Uint32Array, globalRows: number,
): Promise<StepOutcome> {
  const clock = new PhaseClock();
  const exchange = new LayerExchange(allreduce, trainer, rank, world);
  const B = ids.length;
  trainer.setBatch(ids);
  for (let l = 0; l < trainer.layout.layers.length; l++) trainer.forward(l, null, B, globalRows);
  const backward = await backwardLayers(trainer, exchange, clock, B, false);
  if (!backward.nonFinite) handover.judge(step, backward.stats.lossSum / B);
  await trainer.update(backward.nonFinite ? null : step);
  clock.lap('updateMs');
  const gathered = await exchange.gatherAll(backward.nonFinite !== undefined);
  clock.lap('allreduceMs');
  const nonFinite = backward.nonFinite ?? nonFiniteIn(gathered, 'sum');
  if (!nonFinite) {
    trainer.writeParams(gathered);
    handover.updated(step);
  }
  return {
    ...backward.stats, times: clock.times, gpuTimed: false, bytesSent: exchange.bytesSent, checksum: nonFinite ? undefined : paramsFingerprint(gathered),
    drift: undefined, nonFinite, badInput: exchange.badInput,
  };
}
