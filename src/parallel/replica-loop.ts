// A data-parallel replica's training loop: the run's schedule (gpu/run-schedule.ts) walked in step with the
// other replicas (replica-walk.ts), each step one of replica-steps.ts; rank 0 evaluates the test set after
// each epoch. ZeRO stage 3, and stage 2 with one backward a step, train layer by layer (zero3-replica.ts).
import type { Dataset } from '../core/datasets';
import { layerSizes, modelLayout } from '../core/model';
import { runLrSchedule } from '../core/optimizers';
import { shardSpec } from '../core/sharding';
import { layerwiseGradients, shardOf } from '../core/zero-shards';
import { ReplicaGpuStep } from '../gpu/replica-step';
import { RunSchedule } from '../gpu/run-schedule';
import type { RunSwitch } from '../gpu/run-switch';
import { createTrainer, EVAL_CHUNK } from '../gpu/trainer';
import { ZeroShard } from '../gpu/zero-shard';
import { AllreduceRounds, ringLinks, type StarLink } from './allreduce';
import { workerName } from './members';
import type { Inbox } from './ports';
import { ReplicaHandover } from './replica-handover';
import type { ToReplica } from './replica-protocol';
import { ReplicaShares } from './replica-shares';
import { allreduceGradientsStep, localSgdStep, type ReplicaParts } from './replica-steps';
import { postEvaluation, walkSteps } from './replica-walk';
import type { PostToCoordinator, WorkerInit } from './worker-messages';
import { zeroStep } from './zero-step';
import { trainZero3Replica } from './zero3-replica';

/**
 * Trains this rank's shards in step with the other replicas; resolves with the final weights. The
 * trainer is built and its pipelines compiled before `ready`, so once training starts the worker's
 * thread never blocks long (the coordinator's heartbeat relies on it).
 */
export async function trainReplica(
  device: GPUDevice, init: WorkerInit, dataset: Dataset, control: RunSwitch, inbox: Inbox<ToReplica>,
  post: PostToCoordinator, ready: () => Promise<void>,
): Promise<Float32Array | null> {
  const { config, rank, world } = init;
  const layout = modelLayout(layerSizes(config, dataset.inputs, dataset.classes));
  const balanced = config.balance === 'speed' && world > 1;
  const schedule = new RunSchedule(shardSpec(config), config.epochs, dataset.train.y, init.resume?.step ?? 0, balanced ? (e) => shares!.of(e) : undefined);
  const shares = balanced ? new ReplicaShares(world, inbox, schedule.firstEpoch, init.shares) : null;
  const lr = runLrSchedule(config, schedule.totalSteps);
  // Activations for one accumulated micro-batch of this replica's largest share (of any batch: speed balance
  // moves rows between replicas), or an evaluation chunk.
  const maxRows = Math.max(Math.ceil(config.batch / config.accumulate), Math.min(EVAL_CHUNK, dataset.test.n));
  const syncEvery = config.sync === 'step' ? 1 : config.sync;
  const zeroRank = config.zero > 0 && syncEvery === 1 ? { stage: config.zero, rank, world } : undefined;
  const allreduce = config.allreduce === 'ring'
    ? new AllreduceRounds(ringLinks(rank, world, init.left!, init.right!))
    : new AllreduceRounds(null, starLink(rank, inbox, post));
  if (zeroRank && layerwiseGradients(zeroRank.stage, config.accumulate, config.recompute === 1)) return trainZero3Replica({ device, init, dataset, control, post, ready, layout, schedule, shares, lr, maxRows, allreduce });
  const trainer = await createTrainer(device, {
    layout, optimizer: config.optimizer, lr, maxRows, memlimit: config.memlimit, kernel: config.kernel, accumulate: config.accumulate, recompute: config.recompute === 1, memory: { staging: true, backups: syncEvery === 1 && !zeroRank, zero: zeroRank },
  }, dataset, init.initialParams);
  const zero = zeroRank ? new ZeroShard(trainer, shardOf(rank, world, layout.totalFloats)) : null;
  if (init.resume) (zero ?? trainer).restoreOptimizerState(init.resume.m, init.resume.v);
  const parts: ReplicaParts = {
    handover: new ReplicaHandover(trainer, control, post, init, syncEvery === 1, zero),
    gpu: new ReplicaGpuStep(device, trainer, rank),
    allreduce,
    world,
    throttleMs: init.throttleMsPerSample ?? 0,
  };
  const firstRows = schedule.firstRows(rank);
  await trainer.compile(firstRows, syncEvery === 1 ? config.batch : firstRows);
  post({ type: 'metric', rank, record: { ...trainer.kernelsRecord!, worker: { rank, name: workerName(config, rank) } } });
  await ready();
  const ran = await walkSteps({
    init, schedule, shares, control, post, handover: parts.handover,
    step: (step, ids, rows) => (zero ? zeroStep(parts, zero, rank, step, ids, rows)
      : syncEvery === 1 ? allreduceGradientsStep(parts, step, ids, rows)
        : localSgdStep(parts, step, ids, step % syncEvery === 0 || step === schedule.totalSteps)),
    evaluate: (epoch, lastStep) => (rank === 0 ? postEvaluation(() => trainer.evaluate(), post, rank, epoch, lastStep) : Promise.resolve()),
  });
  return ran ? trainer.readParams() : null;
}

/** Star: this replica's vectors go to the coordinator, whose sums come back through the inbox. */
function starLink(rank: number, inbox: Inbox<ToReplica>, post: PostToCoordinator): StarLink {
  return {
    send: (round, data, scale) => post({ type: 'star', rank, round, data, scale }, [data.buffer]),
    receive: async (round) => {
      const m = await inbox.next((x) => x.type === 'star' && x.round === round);
      return (m as Extract<ToReplica, { type: 'star' }>).data;
    },
  };
}
