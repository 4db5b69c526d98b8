// The data-parallel coordinator (page and CLI): every replica holds the whole model and trains its shard of
// each global batch. What it adds to every run (run.ts): rank 0's initial weights for all, the ring's links
// or the star rounds, the replicas' step records, and its restart points: with gradient all-reduce every
// step a survivor's state (all hold the same), with local SGD every replica's own state at the last
// synchronisation. A diverged step keeps the last good state the replicas held back. In a class (an elastic
// run, elastic.ts) each generation's inits carry its world, and a member whose vector the others' sum cannot
// take (the wrong length, or non-finite where theirs are finite) is removed before any replica takes that update.
import { MAX_WORKERS, type RunConfig } from '../core/config';
import { datasetShape } from '../core/datasets';
import { LossWatch } from '../core/metrics';
import { initParams, layerSizes, modelLayout } from '../core/model';
import { checkPlan, shardSpec } from '../core/sharding';
import { learningRate, runLrSchedule } from '../core/optimizers';
import { starLengths } from '../core/zero-shards';
import { runClock } from '../gpu/train-run';
import { badSender, lastGoodOfReplicas, replicaDivergence } from './divergence';
import { ranks, ring } from './links';
import type { Init, MemberReport } from './member-generations';
import type { MemberHost } from './members';
import { replicaStepRecords } from './replica-records';
import { ReplicaResults } from './replica-results';
import type { StepReport } from './replica-protocol';
import { prepareRun, Run, type RunHandle, type RunOptions } from './run';
import { SpeedBalance } from './speed-balance';
import { StarRounds } from './star-rounds';
import { allReduceRestart, LocalSyncs, type ReplicaStart } from './replica-restarts';
import { askAllShards, mergeSnapshots, ZeroStates } from './zero-states';

/** The run's config for a generation of `world` replicas: the epoch plans (core/sharding.ts) follow from it. */
const worldConfig = (config: RunConfig, world: number): RunConfig => (world === config.replicas ? config : { ...config, replicas: world });

/** Whether an elastic run may go on with `world` replicas: a world the config allows, with samples for every replica at every step. */
function fitsWorld(config: RunConfig, labels: Uint8Array | null, classes: number, world: number): boolean {
  if (world > MAX_WORKERS || !labels) return false;
  try {
    checkPlan(shardSpec(worldConfig(config, world)), labels, classes);
    return true;
  } catch {
    return false;
  }
}

/** Each replica's init: its weights (its own copy, as they are handed over) and its ring links. */
function replicaInits(config: RunConfig, host: MemberHost, from: ReplicaStart, initial: Float32Array, extra: Pick<Init, 'checkpointEvery' | 'startedAt' | 'shares'>): Init[] {
  const world = config.replicas;
  const links = config.allreduce === 'ring' && world > 1 ? ring(host, ranks(world)) : [];
  return Array.from({ length: world }, (_, rank) => {
    const state = from.stateOf?.(rank);
    const resume = state ? { step: state.step, m: state.m.slice(), v: state.v.slice() } : undefined;
    return {
      type: 'init', config, rank, world, initialParams: (state?.params ?? initial).slice(), resume, left: links[rank]?.left, right: links[rank]?.right, ...extra,
    };
  });
}

/**
 * An elastic run removes a member whose vector is non-finite where the others' are finite, once per step: if
 * the step goes non-finite again without it, the weights themselves diverge on that data, and the run halts.
 */
class NonFiniteRemovals {
  private removedAfter: number | null = null;

  constructor(private readonly run: Run<ReplicaStart, StepReport>) {}

  allowed(): boolean {
    return this.run.isElastic && this.removedAfter !== this.run.steps.lastStep;
  }

  remove(rank: number, why: string): void {
    this.removedAfter = this.run.steps.lastStep;
    this.run.remove(rank, why);
  }
}

interface ReplicaOutputs {
  run: Run<ReplicaStart, StepReport>;
  results: ReplicaResults;
  zero: ZeroStates | null;
  syncs: LocalSyncs;
  checkpoint: RunOptions['checkpoint'];
}

/** What replicas hand back besides their steps: evaluations, their end, checkpoints and local SGD's synchronisations. */
function keepReplicaOutput(m: MemberReport, { run, results, zero, syncs, checkpoint }: ReplicaOutputs): void {
  if (m.type === 'metric' && m.record.type === 'kernels') {
    run.emit(m.record);
  } else if (m.type === 'metric' && run.world > 1) {
    run.steps.evaluated(m.record, m.evalMs);
  } else if (m.type === 'metric') {
    // A single replica is single-device training: its records are the run's.
    if (!results.holdsLast(m.record)) run.emit(m.record);
  } else if (m.type === 'finished' && run.lifecycle.is('training', 'paused')) {
    // (While halting or changing members, the replicas that stopped at the non-finite step finish too: the
    // halt ends the run, or the next generation goes on.)
    const last = results.finished(m, { step: run.steps.lastStep, testAccuracy: run.steps.lastEval });
    const changes = run.membershipChanges;
    if (last) run.lifecycle.end(last.type === 'done' && changes > 0 ? { ...last, membershipChanges: changes } : last);
  } else if (m.type === 'checkpoint' && zero) {
    zero.add(m.rank, m.state);
  } else if (m.type === 'checkpoint') {
    checkpoint?.save(m.state);
  } else if (m.type === 'sync-state') {
    syncs.add(m.rank, m.state);
  }
}

export async function startDataParallel(options: RunOptions): Promise<RunHandle> {
  const { config, env, checkpoint, resumeFrom } = options;
  const startedAt = runClock();
  const world = config.replicas;
  const shape = datasetShape(config.dataset);
  const layout = modelLayout(layerSizes(config, shape.inputs, shape.classes));
  // The replicas start their devices, data and trainers while the run is checked against its data set.
  const prepared = prepareRun(config, env.readAsset);
  const balance = config.balance === 'speed' ? new SpeedBalance(config.epochs) : null;
  let lrSchedule = runLrSchedule(config, 1);
  /** The training set's labels, once checked: an elastic run's next world is planned on them. */
  let labels: Uint8Array | null = null;
  const counted = prepared.then((p) => {
    lrSchedule = runLrSchedule(config, p.totalSteps);
    labels = p.dataset.train.y;
    balance?.counted(p.totalSteps);
    return p.totalSteps;
  });
  const initial = initParams(layout, config.seed);
  const run = new Run<ReplicaStart, StepReport>(options, world, startedAt, resumeFrom?.step ?? 0);
  const removals = new NonFiniteRemovals(run);
  const star = new StarRounds(starLengths(layout, config.zero), (rank, m, transfer) => run.members.send(rank, m, transfer),
    (rank, why, nonFinite) => (nonFinite ? removals.remove(rank, why) : run.remove(rank, why)));
  const results = new ReplicaResults(world);
  const syncs = new LocalSyncs(world);
  /** Where the current generation started. */
  let started: ReplicaStart | null = null;
  const watch = new LossWatch(config.lr);
  /** ZeRO: no replica holds the whole optimizer state; the shards' union, assembled every few steps. */
  const zero = config.zero > 0 ? new ZeroStates(world, resumeFrom ?? null, checkpoint) : null;

  const onStep = (step: number, group: StepReport[]) => {
    if (group.some((r) => r.nonFinite)) {
      const culprit = removals.allowed() ? badSender(step, group) : null;
      if (culprit) return removals.remove(culprit.rank, culprit.why);
      const lastGood = () => (zero ? Promise.resolve(zero.goodBefore(step))
        : config.sync === 'step' ? lastGoodOfReplicas(group, (r) => run.members.requestState(r)) : Promise.resolve(null));
      void run.halt(replicaDivergence(step, group), lastGood);
      return;
    }
    const { records, rows } = replicaStepRecords(config, layout, step, learningRate(lrSchedule, step), group, watch);
    records.forEach((r) => run.emit(r));
    run.stepDone(step, rows);
    const next = balance?.add(step, group);
    if (next) run.members.all({ type: 'shares', ...next });
  };
  const message = (m: MemberReport) => {
    if (m.type === 'report') {
      const group = run.steps.add(m);
      if (group) onStep(m.step, group);
    } else if (m.type === 'star') {
      star.add(m);
    } else {
      keepReplicaOutput(m, { run, results, zero, syncs, checkpoint });
    }
  };
  const restartPoint = async (failed: number | null, kept: (number | null)[]): Promise<ReplicaStart | null> => {
    const stateOf = (r: number) => (kept.includes(r) ? run.members.requestState(r, true) : Promise.resolve(null)); // a member leaving takes all its workers
    const point = config.sync === 'step' ? await allReduceRestart({ world: run.world, lastStep: run.steps.lastStep, stateOf }, zero, failed, started) : syncs.restartPoint(kept);
    if (point) balance?.regroup(kept, point.step);
    return point;
  };
  const inits = (from: ReplicaStart, world: number) => {
    started = from;
    star.start(world, () => removals.allowed());
    syncs.restart(world);
    zero?.restart(world);
    results.clear(world);
    return replicaInits(worldConfig(config, world), env, from, initial, { checkpointEvery: checkpoint?.every, startedAt, shares: balance?.plannedShares(world) });
  };

  const from: ReplicaStart = { step: resumeFrom?.step ?? 0, stateOf: resumeFrom ? () => resumeFrom : null };
  await run.start({ inits, message, restartPoint, fits: (w) => fitsWorld(config, labels, shape.classes, w) }, from, counted);
  return run.handle({
    snapshot: () => (config.zero === 3 && run.world > 1 ? mergeSnapshots(run.world, (r) => run.members.requestSnapshot(r)) : run.members.requestSnapshot(0)),
    state: () => (run.world > 1 && config.sync !== 'step' ? Promise.resolve(null)
      : zero && run.world > 1 ? askAllShards(run.world, (r) => run.members.requestState(r)) : run.members.requestState(0)),
    finalParams: () => results.params,
  });
}
