// The model-parallel coordinator (page and CLI): the model split into pipeline stages or tensor-parallel
// slices, each worker holding its part. What it adds to every run (run.ts): each worker's part of the
// weights, the stage chain (pipeline) or ring (tensor), with data × pipeline a ring per stage across the
// replicas; the stages records; the final model assembled from the parts for its checksum; and its restart
// points: consistent states assembled from every stage's part (checkpoints.ts), judged good by the two
// steps after them before a divergence may keep one.
import type { RunConfig } from '../core/config';
import { weightsSha256 } from '../core/checksum';
import { LossWatch } from '../core/metrics';
import { initParams, layerSizes, modelLayout, type ModelLayout } from '../core/model';
import { learningRate, runLrSchedule } from '../core/optimizers';
import {
  assembleParts, bubbleTheory, extractPart, microbatchSizes, modelParallelPlan, type ModelParallelPlan,
} from '../core/model-parallel';
import { runClock, type TrainingState } from '../gpu/train-run';
import { ConsistentStates, copyState } from './checkpoints';
import { GoodStates } from './divergence';
import { chain, ranks, ring } from './links';
import type { Init, MemberReport } from './member-generations';
import type { MemberHost } from './members';
import { partLoss, stagesRecord } from './part-records';
import type { PartReport } from './replica-protocol';
import { prepareRun, Run, type RunHandle, type RunOptions } from './run';

/**
 * Each worker's init: its part of `from`, and its links. Pipeline: worker k is stage k mod S of replica
 * ⌊k/S⌋; stage s's `next` talks to stage s+1's `prev`, and the same stage of every replica shares a ring.
 * Tensor: one ring of all workers, as data parallelism's.
 */
function partInits(config: RunConfig, host: MemberHost, model: ModelLayout, plan: ModelParallelPlan, from: TrainingState, checkpointEvery: number): Init[] {
  const pipeline = config.mode === 'pipeline';
  const stages = plan.workers.length;
  const replicas = pipeline ? config.replicas : 1;
  const world = replicas * stages;
  const chains = pipeline ? Array.from({ length: replicas }, (_, r) => chain(host, ranks(stages, r * stages))) : [];
  const rings = pipeline
    ? Array.from({ length: replicas > 1 ? stages : 0 }, (_, s) => ring(host, ranks(replicas, s, stages)))
    : [ring(host, ranks(world))];
  return Array.from({ length: world }, (_, rank) => {
    const stage = pipeline ? rank % stages : rank;
    const replica = pipeline ? Math.floor(rank / stages) : 0;
    const ends = pipeline ? rings[stage]?.[replica] : rings[0][rank];
    const part = (full: Float32Array) => extractPart(model, full, plan.workers[stage]);
    const resume = from.step > 0 ? { step: from.step, m: part(from.m), v: part(from.v) } : undefined;
    return {
      type: 'init', config, rank, world, initialParams: part(from.params), resume, left: ends?.left, right: ends?.right, checkpointEvery,
      part: { plan: plan.workers[stage], stage, stages, replica, replicas, ...chains[replica]?.[stage] },
    };
  });
}

export async function startModelParallel(options: RunOptions): Promise<RunHandle> {
  const { config, env, resumeFrom, checkpoint } = options;
  const startedAt = runClock();
  const { dataset, totalSteps } = await prepareRun(config, env.readAsset);
  const model = modelLayout(layerSizes(config, dataset.inputs, dataset.classes));
  const plan = modelParallelPlan(config, model);
  const pipeline = config.mode === 'pipeline';
  const replicas = pipeline ? config.replicas : 1;
  const stages = plan.workers.length;
  const theory = pipeline ? bubbleTheory(stages, microbatchSizes(Math.ceil(config.batch / replicas), config.microbatches).length) : null;
  if (resumeFrom && resumeFrom.params.length !== model.totalFloats) {
    throw new Error(`the saved state has ${resumeFrom.params.length} floats, this model needs ${model.totalFloats}`);
  }
  const zeros = () => new Float32Array(model.totalFloats);
  const start = resumeFrom ?? { step: 0, params: initParams(model, config.seed), m: zeros(), v: zeros() };
  const run = new Run<TrainingState, PartReport>(options, replicas * stages, startedAt, start.step);
  const consistent = new ConsistentStates(model, plan, start, checkpoint);
  const good = new GoodStates();
  const watch = new LossWatch(config.lr);
  const lrSchedule = runLrSchedule(config, totalSteps);
  /** Replica 0's stages' final parameters, which make the whole model. */
  let parts: Float32Array[] = [];
  let assembled: Float32Array | null = null;

  const onStep = (step: number, group: PartReport[]) => {
    const loss = partLoss(group);
    if (!Number.isFinite(loss.mean)) {
      void run.halt({ step, what: 'loss', value: loss.mean }, async () => good.lastGood && copyState(good.lastGood));
      return;
    }
    const warning = watch.check(step, loss.mean);
    if (warning) run.emit(warning);
    good.stepLoss(step, watch.tooHigh(loss.mean));
    run.emit({ type: 'step', step, epoch: group[0].epoch, loss: loss.mean, accuracy: loss.accuracy, lr: learningRate(lrSchedule, step), replicaLoss: replicas > 1 ? loss.replicaLoss : undefined });
    run.emit(stagesRecord(config, step, group, stages, theory));
    run.stepDone(step, loss.rows);
  };
  const finish = async () => {
    assembled = assembleParts(model, plan, parts);
    const sha = await weightsSha256(model, assembled);
    run.lifecycle.end({ type: 'done', steps: run.steps.lastStep, testAccuracy: run.steps.lastEval, weightsSha256: sha });
  };
  const message = (m: MemberReport) => {
    if (m.type === 'part-report') {
      const group = run.steps.add(m);
      if (group) onStep(m.step, group);
    } else if (m.type === 'metric' && m.record.type === 'kernels') {
      run.emit(m.record);
    } else if (m.type === 'metric') {
      run.steps.evaluated(m.record, m.evalMs);
    } else if (m.type === 'checkpoint') {
      const whole = consistent.add(m.rank, m.state);
      if (whole) good.offer(whole);
    } else if (m.type === 'finished' && m.params) {
      // Replica 0's stages hand over their parts; the other replicas hold the same.
      parts[m.rank] = m.params;
      if (parts.filter(Boolean).length === stages) void finish();
    }
  };
  const inits = (from: TrainingState) => {
    consistent.clear();
    parts = [];
    return partInits(config, env, model, plan, from, consistent.every);
  };

  await run.start({ inits, message, restartPoint: async () => consistent.latest }, start, Promise.resolve(totalSteps));
  return run.handle({
    // The weights live in several workers: live views wait for the end.
    snapshot: () => Promise.resolve(null),
    // The latest consistent state (every worker at the same step), which may be a few steps back.
    state: () => Promise.resolve(run.lifecycle.is('ended') || consistent.latest.step === 0 ? null : copyState(consistent.latest)),
    finalParams: () => assembled,
  });
}
