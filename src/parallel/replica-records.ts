// The metric records of one data-parallel step, merged from every replica's report (in rank order): the
// global loss and each replica's, a warning when it soars, the shard ids, phase times and traffic, and the
// parameter checksums after a synchronisation.
import type { RunConfig } from '../core/config';
import type { LossWatch, MetricRecord } from '../core/metrics';
import type { ModelLayout } from '../core/model';
import { stage3SentFloats } from '../core/zero-shards';
import { ringTheoryBytes } from './allreduce';
import type { StepReport } from './replica-protocol';

/**
 * `layout`: the model, whose flat vector each synchronisation all-reduces; `lr`: the step's learning rate.
 * Also says how many rows the step trained.
 */
export function replicaStepRecords(
  config: RunConfig, layout: ModelLayout, step: number, lr: number, group: StepReport[], watch: LossWatch,
): { records: MetricRecord[]; rows: number } {
  const world = group.length;
  const rows = group.reduce((s, r) => s + r.rows, 0);
  const loss = group.reduce((s, r) => s + r.lossSum, 0) / rows;
  const epoch = group[0].epoch;
  const records: MetricRecord[] = [{
    type: 'step', step, epoch, loss, accuracy: group.reduce((s, r) => s + r.correct, 0) / rows, lr,
    replicaLoss: group.map((r) => r.lossSum / r.rows),
  }];
  const warning = watch.check(step, loss);
  if (warning) records.push(warning);
  const padded = group.some((r) => r.padded.length > 0) ? { padded: group.map((r) => r.padded) } : {};
  const shares = group.every((r) => r.share !== undefined) ? { shares: group.map((r) => r.share!) } : {};
  records.push({ type: 'shard', step, epoch, ids: group.map((r) => r.ids), ...padded, ...shares });
  const synced = group.some((r) => r.bytesSent > 0);
  const floats = layout.totalFloats;
  // Stage 3 sends the weights twice a micro-batch (all-gathered before each layer's forward and backward, and
  // again for a recomputed layer) and the gradient once a step: (2k + 1)K(N−1)/N on a ring with accumulate=k.
  const sent = config.zero === 3 ? stage3SentFloats(layout, config.accumulate, config.recompute === 1) : floats;
  records.push({
    type: 'workers', step, clock: group.every((r) => r.gpuTimed) ? 'gpu' : 'wall', times: group.map((r) => r.times), bytesSent: group.map((r) => r.bytesSent),
    theoryBytes: synced && config.allreduce === 'ring' ? ringTheoryBytes(floats * 8, world) * (config.zero === 3 ? sent / floats / 2 : 1)
      : synced ? (config.zero === 3 ? sent : floats * (config.zero > 0 ? 2 : 1)) * 4 : 0,
    ...(group.every((r) => r.traffic) ? { traffic: group.map((r) => r.traffic!) } : {}),
  });
  if (group.every((r) => r.checksum)) {
    const checksums = group.map((r) => r.checksum!);
    const drift = group.every((r) => r.drift !== undefined) ? group.map((r) => r.drift!) : undefined;
    records.push({ type: 'sync', step, checksums, inSync: checksums.every((c) => c === checksums[0]), drift });
  }
  return { records, rows };
}
