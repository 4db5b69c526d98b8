// The two steps a data-parallel replica takes. Gradient all-reduce (sync=step, like DDP): its shard's
// gradients summed over the replicas, then the same update on every replica. Local SGD (sync=k): an update
// on its shard alone, and every k steps the weights averaged over the replicas. Each step returns what its
// report says, with the time of each phase.
import { paramsFingerprint } from '../core/checksum';
import { firstNonFinite, type PhaseTimes } from '../core/metrics';
import { relativeError } from '../core/reference';
import type { ReplicaGpuStep } from '../gpu/replica-step';
import type { LossStats } from '../gpu/softmax-ce';
import type { AllreduceRounds } from './allreduce';
import type { ReplicaHandover } from './replica-handover';
import type { StepReport } from './replica-protocol';

/** The step report's fields a step decides. */
export type StepOutcome = LossStats & Pick<StepReport, 'times' | 'gpuTimed' | 'bytesSent' | 'checksum' | 'drift' | 'nonFinite' | 'badInput'>;

/** The first non-finite value of `values`, as a step report names it. */
export function nonFiniteIn(values: Float32Array, what: 'gradient' | 'sum'): StepReport['nonFinite'] {
  const bad = firstNonFinite(values);
  return bad >= 0 ? { what, value: values[bad] } : undefined;
}

/** A replica's own gradient, else its loss, gone non-finite. */
export function ownNonFinite(grads: Float32Array, stats: LossStats): StepReport['nonFinite'] {
  return nonFiniteIn(grads, 'gradient') ?? (Number.isFinite(stats.lossSum) ? undefined : { what: 'loss', value: stats.lossSum });
}

export interface ReplicaParts {
  gpu: ReplicaGpuStep;
  allreduce: AllreduceRounds;
  handover: ReplicaHandover;
  /** Replicas in the run. */
  world: number;
  /** Tests only: ms slept per sample in each step's compute, as a slower GPU would take (0: none). */
  throttleMs: number;
}

/** The test-only throttle of a step of `rows` samples: its sleep, in ms. */
export async function throttle(msPerSample: number, rows: number): Promise<number> {
  const ms = msPerSample * rows;
  if (ms > 0) await new Promise((resolve) => setTimeout(resolve, ms));
  return ms;
}

/** Wall-clock time of each phase of a step, lap by lap. */
export class PhaseClock {
  readonly times: PhaseTimes = { computeMs: 0, readbackMs: 0, allreduceMs: 0, updateMs: 0 };
  private mark = performance.now();

  lap(phase: keyof PhaseTimes): void {
    const now = performance.now();
    this.times[phase] += now - this.mark;
    this.mark = now;
  }
}

/** Gradient all-reduce: this shard's gradients, scaled by 1/global batch, summed over replicas; one update. */
export async function allreduceGradientsStep(
  { gpu, allreduce, handover, throttleMs }: ReplicaParts, step: number, ids: Uint32Array, globalRows: number,
): Promise<StepOutcome> {
  const clock = new PhaseClock();
  gpu.submitGradients(ids, globalRows, step);
  handover.keep(step - 1);
  await gpu.idle();
  const slept = await throttle(throttleMs, ids.length);
  clock.lap('computeMs');
  const { grads, stats, gpuComputeMs } = await gpu.readGradients();
  clock.lap('readbackMs');
  const own = ownNonFinite(grads, stats);
  // The all-reduce runs even so, or the other replicas would wait for this one forever.
  const reduced = await allreduce.sum(grads, 1);
  clock.lap('allreduceMs');
  const nonFinite = own ?? nonFiniteIn(reduced.sum, 'sum');
  let checksum: string | undefined;
  if (!nonFinite) {
    handover.judge(step, stats.lossSum / ids.length);
    gpu.submitSummedUpdate(reduced.sum, step);
    handover.updated(step);
    checksum = paramsFingerprint(await gpu.readUpdatedWeights());
    clock.lap('updateMs');
  }
  if (gpuComputeMs !== null) clock.times.computeMs = gpuComputeMs + slept;
  return {
    ...stats, times: clock.times, gpuTimed: gpuComputeMs !== null, bytesSent: reduced.bytesSent, checksum, drift: undefined, nonFinite, badInput: reduced.badInput,
  };
}

/** Local SGD: a step on this shard alone; at each synchronisation (and the run's last step) the weights averaged. */
export async function localSgdStep(parts: ReplicaParts, step: number, ids: Uint32Array, synchronises: boolean): Promise<StepOutcome> {
  const { gpu, handover } = parts;
  const clock = new PhaseClock();
  gpu.submitLocalGradients(ids, step);
  await gpu.idle();
  await throttle(parts.throttleMs, ids.length);
  clock.lap('computeMs');
  const stats = await gpu.readLoss();
  clock.lap('readbackMs');
  const outcome: StepOutcome = { ...stats, times: clock.times, gpuTimed: false, bytesSent: 0, checksum: undefined, drift: undefined, nonFinite: undefined };
  if (!Number.isFinite(stats.lossSum)) return { ...outcome, nonFinite: { what: 'loss', value: stats.lossSum } };
  gpu.submitUpdate(step);
  handover.updated(step);
  await gpu.idle();
  clock.lap('updateMs');
  return synchronises ? { ...outcome, ...(await averageWeights(parts, step, clock)) } : outcome;
}

/** Local SGD's synchronisation: the weights averaged over the replicas, and how far this one had drifted. */
async function averageWeights({ gpu, allreduce, handover, world }: ReplicaParts, step: number, clock: PhaseClock) {
  const params = await gpu.readWeights(step);
  clock.lap('readbackMs');
  const own = params.slice();
  const averaged = await allreduce.sum(params, 1 / world);
  const drift = relativeError(own, averaged.sum);
  gpu.writeWeights(averaged.sum);
  const checksum = paramsFingerprint(averaged.sum);
  clock.lap('allreduceMs');
  await handover.postSyncState(step);
  clock.lap('readbackMs');
  return { bytesSent: averaged.bytesSent, checksum, drift };
}
