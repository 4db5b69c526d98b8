// A data-parallel replica's step with ZeRO (zero ≥ 1): its shard's gradients as in DDP, then the ring's
// two halves apart: the gradient reduce-scattered (this rank keeps the sum of its chunk), its 1/N of the
// weights updated with its 1/N of the optimizer state, and the weights all-gathered. The update is
// elementwise, so every step gives the bits of zero=0 wherever the float64 sums do.
import { paramsFingerprint } from '../core/checksum';
import { ownedChunk, zeroBounds } from '../core/zero-shards';
import type { ZeroShard } from '../gpu/zero-shard';
import { nonFiniteIn, ownNonFinite, PhaseClock, throttle, type ReplicaParts, type StepOutcome } from './replica-steps';

export async function zeroStep(
  { gpu, allreduce, handover, throttleMs, world }: ReplicaParts, shard: ZeroShard, rank: number, step: number, ids: Uint32Array, globalRows: number,
): Promise<StepOutcome> {
  const clock = new PhaseClock();
  gpu.submitGradients(ids, globalRows, step);
  await gpu.idle();
  const slept = await throttle(throttleMs, ids.length);
  clock.lap('computeMs');
  const { grads, stats, gpuComputeMs } = await gpu.readGradients();
  clock.lap('readbackMs');
  const P = grads.length;
  const bounds = zeroBounds(P, world);
  const own = ownedChunk(rank, world);
  const ownBad = ownNonFinite(grads, stats);
  // Both exchanges run even so, or the other replicas would wait for this one forever.
  const scattered = await allreduce.reduceScatter(grads, bounds, own, 1);
  clock.lap('allreduceMs');
  const chunkBad = ownBad ?? nonFiniteIn(scattered.sum, 'sum');
  if (!chunkBad) handover.judge(step, stats.lossSum / ids.length);
  gpu.submitShardUpdate(shard, chunkBad ? null : scattered.sum, step);
  const weights = await gpu.readShardWeights(shard);
  clock.lap('updateMs');
  // A shard that took no update goes round as NaN, so that no replica takes this step's weights.
  const gathered = await allreduce.allGather(chunkBad ? weights.fill(NaN) : weights, P, bounds, own);
  clock.lap('allreduceMs');
  const nonFinite = chunkBad ?? nonFiniteIn(gathered.sum, 'sum');
  let checksum: string | undefined;
  if (!nonFinite) {
    gpu.writeWeights(gathered.sum);
    handover.updated(step);
    checksum = paramsFingerprint(gathered.sum);
  }
  if (gpuComputeMs !== null) clock.times.computeMs = gpuComputeMs + slept;
  return {
    ...stats, times: clock.times, gpuTimed: gpuComputeMs !== null, bytesSent: scattered.bytesSent + gathered.bytesSent, checksum, drift: undefined,
    nonFinite, badInput: scattered.badInput ?? gathered.badInput,
  };
}
