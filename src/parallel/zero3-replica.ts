// A data-parallel replica at ZeRO stage 3 (gpu/zero3-trainer.ts, zero3-step.ts): it holds its shard of the
// weights, gradient and optimizer state and one layer at a time. Every rank takes part in the evaluation's
// layer all-gathers while rank 0 runs the layers, and at the end all gather the whole weights on the host
// once (as FSDP's full state dict), so that every rank checksums them and rank 0 hands them over. At stage 2
// (core/zero-shards.ts layerwiseGradients) the weights stay whole and resident: rank 0 evaluates alone.
import type { Dataset } from '../core/datasets';
import type { LrSchedule } from '../core/optimizers';
import type { ModelLayout } from '../core/model';
import { shardOf } from '../core/zero-shards';
import type { RunSchedule } from '../gpu/run-schedule';
import type { RunSwitch } from '../gpu/run-switch';
import { buildChecked } from '../gpu/trainer';
import { Zero3Trainer } from '../gpu/zero3-trainer';
import type { AllreduceRounds } from './allreduce';
import { workerName } from './members';
import { ReplicaHandover } from './replica-handover';
import type { ReplicaShares } from './replica-shares';
import { postEvaluation, walkSteps } from './replica-walk';
import type { PostToCoordinator, WorkerInit } from './worker-messages';
import { LayerExchange, zero2Step, zero3Step } from './zero3-step';

export interface Zero3Setup {
  device: GPUDevice;
  init: WorkerInit;
  dataset: Dataset;
  control: RunSwitch;
  post: PostToCoordinator;
  ready: () => Promise<void>;
  layout: ModelLayout;
  schedule: RunSchedule;
  shares: ReplicaShares | null;
  lr: LrSchedule;
  maxRows: number;
  allreduce: AllreduceRounds;
}

/** Trains this rank's shard in step with the other replicas; resolves with the whole final weights. */
export async function trainZero3Replica(s: Zero3Setup): Promise<Float32Array | null> {
  const { config, rank, world } = s.init;
  const shard = shardOf(rank, world, s.layout.totalFloats);
  const resident = config.zero === 2;
  const trainer = await buildChecked(s.device, () => new Zero3Trainer(s.device, {
    layout: s.layout, optimizer: config.optimizer, lr: s.lr, maxRows: s.maxRows, accumulate: config.accumulate, recompute: config.recompute === 1, kernel: config.kernel, memlimit: config.memlimit,
    memory: { staging: true, backups: false, zero: { stage: config.zero, rank, world } },
  }, shard, s.dataset, s.init.initialParams, resident));
  if (s.init.resume) trainer.zero.restoreOptimizerState(s.init.resume.m, s.init.resume.v);
  const handover = new ReplicaHandover(trainer, s.control, s.post, s.init, true, trainer.zero);
  await trainer.compile(s.schedule.firstRows(rank), config.batch);
  s.post({ type: 'metric', rank, record: { ...trainer.kernelsRecord!, worker: { rank, name: workerName(config, rank) } } });
  await s.ready();
  const evaluate = () => {
    if (resident) return rank === 0 ? trainer.evaluate(null, true) : Promise.resolve(null);
    const exchange = new LayerExchange(s.allreduce, trainer, rank, world);
    return trainer.evaluate((l) => exchange.gather(l), rank === 0);
  };
  const takeStep = resident ? zero2Step : zero3Step;
  const ran = await walkSteps({
    init: s.init, schedule: s.schedule, shares: s.shares, control: s.control, post: s.post, handover,
    step: (step, ids, rows) => takeStep(trainer, s.allreduce, handover, rank, world, step, ids, rows),
    evaluate: (epoch, lastStep) => postEvaluation(evaluate, s.post, rank, epoch, lastStep),
  });
  if (!ran) return null;
  return resident ? trainer.readParams() : new LayerExchange(s.allreduce, trainer, rank, world).gatherAll();
}
