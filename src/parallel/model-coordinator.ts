// The model-parallel coordinator, shared by the page and the CLI: splits the model (pipeline stages or
// tensor-parallel slices), hands each worker its part of the weights, wires stage neighbours (pipeline)
// or a ring (tensor), and with data × pipeline a ring per stage across the replicas; merges the workers' reports into the metrics stream (loss, timelines, bubble,
// traffic, activation memory), assembles the final model for its checksum, and keeps consistent
// checkpoints (every worker's state after the same step) to restart all workers from when one fails,
// and to keep the last good state when the loss diverges.
import type { RunConfig } from '../core/config';
import { weightsSha256 } from '../core/checksum';
import { divergedMessage, LossWatch, type MetricRecord } from '../core/metrics';
import { initParams, layerSizes, modelLayout } from '../core/model';
import {
  assembleParts, bubbleTheory, extractPart, measuredBubble, microbatchSizes, modelParallelPlan, scheduleBubble,
  type TimelineSpan,
} from '../core/model-parallel';
import { epochPlan, shardSpec } from '../core/sharding';
import { Throughput } from '../core/throughput';
import { runClock, type TrainingState } from '../gpu/train-run';
import { prepareRun, type ReplicaWorker, type RunHandle, type RunOptions } from './coordinator';
import { Heartbeat } from './heartbeat';
import { StepGroups } from './step-groups';
import type { FromReplica, PartReport, ToReplica } from './replica-protocol';

/** Most steps between the consistent states a restart replays from (fewer when checkpoints are asked for more often). */
const RESTART_EVERY = 16;
/** Restarts allowed in one run before a failure stops it (a fault that repeats is not transient). */
const MAX_RECOVERIES = 3;

/** The schedule's bubble with one replica's measured per-stage forward and backward times and free messages. */
function imbalanceBubble(config: RunConfig, stageSpans: TimelineSpan[][]): number {
  const mean = (spans: TimelineSpan[], kind: 'F' | 'B') => {
    const of = spans.filter((s) => s.kind === kind);
    // A micro-batch's forward or backward may be several spans (segments); sum per micro-batch, then average.
    const micro = new Set(of.map((s) => s.microbatch)).size;
    return of.reduce((t, s) => t + s.end - s.start, 0) / Math.max(1, micro);
  };
  const microbatches = new Set(stageSpans[0].filter((s) => s.kind === 'F').map((s) => s.microbatch)).size;
  return scheduleBubble(config.schedule, microbatches, stageSpans.map((s) => mean(s, 'F')), stageSpans.map((s) => mean(s, 'B')));
}

/** How the page and the CLI name worker k of a run (data × pipeline: worker k is stage k mod S of replica ⌊k/S⌋). */
export function workerName(config: Pick<RunConfig, 'mode' | 'replicas' | 'stages'>, rank: number): string {
  if (config.mode === 'tensor') return `tensor-parallel worker ${rank}`;
  if (config.mode === 'data') return `replica ${rank}`;
  const stage = rank % config.stages;
  return config.replicas > 1 ? `replica ${Math.floor(rank / config.stages)} stage ${stage}` : `stage ${stage}`;
}

export async function startModelParallel({
  config, env, emit, onReady, heartbeatMs = 2000, resumeFrom, checkpoint,
}: RunOptions): Promise<RunHandle> {
  const startedAt = runClock();
  const dataset = await prepareRun(config, env.readAsset);
  const model = modelLayout(layerSizes(config, dataset.inputs, dataset.classes));
  const plan = modelParallelPlan(config, model);
  const pipeline = config.mode === 'pipeline';
  /** Pipeline replicas (data × pipeline); worker k is stage k mod S of replica ⌊k/S⌋. */
  const replicas = pipeline ? config.replicas : 1;
  const stages = plan.workers.length;
  const world = replicas * stages;
  const totalSteps = epochPlan(shardSpec(config), 1, dataset.train.y).steps * config.epochs;
  const theory = pipeline ? bubbleTheory(stages, microbatchSizes(Math.ceil(config.batch / replicas), config.microbatches).length) : null;
  if (resumeFrom && resumeFrom.params.length !== model.totalFloats) {
    throw new Error(`the saved state has ${resumeFrom.params.length} floats, this model needs ${model.totalFloats}`);
  }
  const zeros = () => new Float32Array(model.totalFloats);
  /** The whole model after `step` steps, with every worker's part from that same step: where a restart begins. */
  let restartPoint: TrainingState = resumeFrom ?? { step: 0, params: initParams(model, config.seed), m: zeros(), v: zeros() };
  const watch = new LossWatch(config.lr);
  /** Steps whose loss was finite and not soaring, and those whose loss soared. */
  const saneSteps = new Set<number>();
  const soaringSteps = new Set<number>();
  /** Restart points not yet judged, and the newest one the two steps after it showed good. */
  let pending: TrainingState[] = [];
  let lastGood: TrainingState | null = null;
  const judge = () => {
    pending = pending.filter((p) => {
      const after = [p.step + 1, p.step + 2];
      if (after.some((t) => soaringSteps.has(t))) return false;
      if (!after.every((t) => saneSteps.has(t))) return true;
      if (!lastGood || p.step > lastGood.step) lastGood = p;
      return false;
    });
  };
  const checkpointEvery = Math.min(RESTART_EVERY, checkpoint?.every ?? RESTART_EVERY);
  /** Checkpoints asked for every N steps are saved at the first consistent state on or after each multiple of N. */
  let nextSave = checkpoint ? restartPoint.step - (restartPoint.step % checkpoint.every) + checkpoint.every : Infinity;

  let workers: ReplicaWorker[] = [];
  let generation = 0;
  let heartbeat: Heartbeat | null = null;
  const send = (rank: number, m: ToReplica, transfer: Transferable[] = []) => workers[rank].postMessage(m, transfer);
  let settle: (r: MetricRecord) => void = () => {};
  const finished = new Promise<MetricRecord>((resolve) => { settle = resolve; });
  let over = false;
  let paused = false;
  let recoveries = 0;
  let lastStep = restartPoint.step;
  let lastEvalStep = restartPoint.step;
  let lastEval = 0;
  let ready = 0;
  let assembled: Float32Array | null = null;
  /** From the first 'go' on: workers restarted after a fault go on with the same figures. */
  let throughput: Throughput | null = null;
  const reports = new StepGroups<PartReport>(world);
  const states = new Map<number, TrainingState[]>();
  const heldEvals: MetricRecord[] = [];
  let parts: Float32Array[] = [];

  const end = (record: MetricRecord) => {
    if (over) return;
    over = true;
    heartbeat?.stop();
    emit(record);
    workers.forEach((w) => w.terminate());
    settle(record);
  };

  const emitStep = (step: number, group: PartReport[]) => {
    group.sort((a, b) => a.rank - b.rank);
    // One loss per replica (its last stage's), over its shard of the batch.
    const losses = group.filter((r) => r.loss).map((r) => r.loss!);
    const loss = losses.reduce((a, b) => ({ lossSum: a.lossSum + b.lossSum, correct: a.correct + b.correct, rows: a.rows + b.rows }));
    const mean = loss.lossSum / loss.rows;
    if (!Number.isFinite(mean)) {
      diverged(step, mean);
      return;
    }
    const warning = watch.check(step, mean);
    if (warning) emit(warning);
    (watch.tooHigh(mean) ? soaringSteps : saneSteps).add(step);
    judge();
    emit({
      type: 'step', step, epoch: group[0].epoch, loss: mean, accuracy: loss.correct / loss.rows,
      replicaLoss: replicas > 1 ? losses.map((l) => l.lossSum / l.rows) : undefined,
    });
    // A pipeline step starts when its first stage starts it: the later stages' waits before then belong to
    // the previous step's drain, so they are cut there and each moment is counted in one step only.
    const starters = pipeline ? group.filter((r) => r.rank % stages === 0) : group;
    const origin = Math.min(...starters.flatMap((r) => r.spans.map((s) => s.start)));
    const spans = group.map((r) => r.spans.filter((s) => s.end > origin).map((s) => ({
      ...s, start: Math.max(s.start, origin) - origin, end: s.end - origin,
    })));
    emit({
      type: 'stages', step, mode: config.mode as 'pipeline' | 'tensor', spans, bubble: measuredBubble(spans), theory,
      scheduled: pipeline ? imbalanceBubble(config, spans.slice(0, stages)) : null,
      bytesSent: group.map((r) => r.bytesSent), activationBytes: group.map((r) => r.activationBytes),
    });
    lastStep = step;
    const now = runClock();
    emit(throughput!.record(step, loss.rows, totalSteps, now));
    // A single step (Step while paused) is over: the clock holds again.
    if (paused) throughput!.hold(now);
    while (heldEvals.length && (heldEvals[0] as { step: number }).step <= lastStep) emit(heldEvals.shift()!);
  };

  /** The loss went NaN or infinite: stop at the newest restart point the steps after it showed good, and save it. */
  const diverged = (step: number, value: number) => {
    const kept: TrainingState | null = lastGood;
    if (kept) checkpoint?.save({ step: kept.step, params: kept.params.slice(), m: kept.m.slice(), v: kept.v.slice() });
    end({
      type: 'stopped', step: kept?.step ?? lastStep, reason: 'diverged', divergedAt: step,
      message: divergedMessage({ step, what: 'loss', value, lr: config.lr, kept: kept?.step ?? null }),
    });
  };

  /** Every worker's state after `step` is in: the whole model's consistent state. */
  const onState = (state: TrainingState, rank: number) => {
    // Replica 0's stages hand over their state (ranks 0..S−1); the other replicas hold the same.
    const group = states.get(state.step) ?? [];
    group[rank] = state;
    states.set(state.step, group);
    if (group.filter(Boolean).length < stages) return;
    states.delete(state.step);
    const whole = (pick: (s: TrainingState) => Float32Array) => assembleParts(model, plan, group.map(pick));
    restartPoint = { step: state.step, params: whole((s) => s.params), m: whole((s) => s.m), v: whole((s) => s.v) };
    pending.push(restartPoint);
    judge();
    if (checkpoint && state.step >= nextSave) {
      nextSave = state.step - (state.step % checkpoint.every) + checkpoint.every;
      checkpoint.save({ step: restartPoint.step, params: restartPoint.params.slice(), m: restartPoint.m.slice(), v: restartPoint.v.slice() });
    }
  };

  const finish = async () => {
    assembled = assembleParts(model, plan, parts);
    const sha = await weightsSha256(model, assembled);
    end({ type: 'done', steps: lastStep, testAccuracy: lastEval, weightsSha256: sha });
  };

  const onMessage = (gen: number, m: FromReplica) => {
    if (over || gen !== generation) return;
    heartbeat?.heard(m.rank);
    switch (m.type) {
      case 'ready':
        onReady?.(m.rank, m.adapter);
        if (++ready === world) {
          throughput ??= new Throughput(startedAt, runClock(), lastStep);
          heartbeat?.start();
          workers.forEach((_, r) => send(r, { type: 'go' }));
        }
        break;
      case 'part-report': {
        // Steps replayed after a restart were reported before.
        if (m.step <= lastStep) break;
        const group = reports.add(m);
        if (group) emitStep(m.step, group);
        break;
      }
      case 'metric':
        if (m.evalMs !== undefined) throughput?.exclude(m.evalMs);
        if (m.record.type === 'eval' && m.record.step > lastEvalStep) {
          lastEvalStep = m.record.step;
          lastEval = m.record.testAccuracy;
          if (m.record.step <= lastStep) emit(m.record);
          else heldEvals.push(m.record);
        }
        break;
      case 'checkpoint':
        onState(m.state, m.rank);
        break;
      case 'finished':
        if (!m.params) return;
        parts[m.rank] = m.params;
        if (parts.filter(Boolean).length === stages) void finish();
        break;
      case 'error':
        void onFailure(gen, m.rank, `failed: ${m.message}`);
        break;
      default:
        break;
    }
  };

  /** Starts a generation of workers from a whole-model state. */
  const launch = (from: TrainingState) => {
    const gen = ++generation;
    ready = 0;
    reports.clear();
    states.clear();
    parts = [];
    heartbeat?.stop();
    heartbeat = new Heartbeat(world, heartbeatMs, (rank) => send(rank, { type: 'ping' }),
      (rank) => void onFailure(gen, rank, 'stopped answering (its worker was terminated or hung)'));
    workers = Array.from({ length: world }, (_, rank) => env.spawn(rank));
    const links = pipeline ? Array.from({ length: world }, () => env.channel()) : [];
    const rings = (pipeline ? replicas : world) > 1 ? Array.from({ length: world }, () => env.channel()) : [];
    workers.forEach((w, rank) => {
      w.addEventListener('message', (e) => onMessage(gen, e.data as FromReplica));
      w.onCrash((message) => void onFailure(gen, rank, `crashed: ${message}`));
    });
    workers.forEach((_, rank) => {
      const stage = pipeline ? rank % stages : rank;
      const replica = pipeline ? Math.floor(rank / stages) : 0;
      const at = (r: number, s: number) => r * stages + s;
      // Pipeline: stage s's `next` talks to stage s+1's `prev`; the same stage of replica r and r+1 share
      // a ring link. Tensor: one ring of all workers, as data parallelism's.
      const prev = pipeline && stage > 0 ? links[at(replica, stage - 1)].port2 : undefined;
      const next = pipeline && stage < stages - 1 ? links[rank].port1 : undefined;
      const ringed = pipeline ? replicas > 1 : world > 1;
      const ringSize = pipeline ? replicas : world;
      const ringPos = pipeline ? replica : rank;
      const ringAt = (k: number) => (pipeline ? at(k, stage) : k);
      const left = ringed ? rings[ringAt((ringPos + ringSize - 1) % ringSize)].port2 : undefined;
      const right = ringed ? rings[ringAt(ringPos)].port1 : undefined;
      const part = (full: Float32Array) => extractPart(model, full, plan.workers[stage]);
      const weights = part(from.params);
      const resume = from.step > 0 ? { step: from.step, m: part(from.m), v: part(from.v) } : undefined;
      const ports = [prev, next, left, right].filter((p): p is MessagePort => p !== undefined);
      send(rank, {
        type: 'init', config, rank, world, initialParams: weights, resume, left, right, checkpointEvery, part: { plan: plan.workers[stage], stage, stages, replica, replicas, prev, next },
      }, [weights.buffer, ...(resume ? [resume.m.buffer, resume.v.buffer] : []), ...ports]);
      if (paused) send(rank, { type: 'pause' });
    });
  };

  /**
   * A worker crashed, lost its GPU device or went silent. Every worker restarts from the last consistent
   * state and replays the steps since; the run is deterministic, so it ends with the checksum it would
   * have had. Before all workers were up, or after too many restarts, the run stops, keeping its metrics.
   */
  const onFailure = async (gen: number, rank: number, what: string) => {
    if (over || gen !== generation) return;
    const message = `${workerName(config, rank)} ${what}`;
    if (ready < world) {
      end({ type: 'stopped', step: lastStep, reason: 'error', message: `${message}, so the run could not start` });
      return;
    }
    if (recoveries >= MAX_RECOVERIES) {
      end({ type: 'stopped', step: lastStep, reason: 'error', message: `${message} (after ${MAX_RECOVERIES} restarts); the run stopped at step ${lastStep}, its metrics are kept` });
      return;
    }
    recoveries++;
    workers.forEach((w) => w.terminate());
    emit({ type: 'fault', step: lastStep, rank, message, restartedFrom: restartPoint.step });
    launch(restartPoint);
  };

  launch(restartPoint);

  const all = (m: ToReplica) => workers.forEach((_, r) => send(r, m));
  return {
    pause: () => {
      paused = true;
      throughput?.hold(runClock());
      all({ type: 'pause' });
    },
    resume: () => {
      paused = false;
      throughput?.resume(runClock());
      all({ type: 'resume' });
    },
    step: () => {
      throughput?.resume(runClock());
      all({ type: 'step' });
    },
    stop: () => {
      all({ type: 'stop' });
      end({ type: 'stopped', step: lastStep, reason: 'user', message: `stopped at step ${lastStep}` });
    },
    // The weights live in several workers: live views wait for the end.
    snapshot: () => Promise.resolve(null),
    // The latest consistent state (every worker at the same step), which may be a few steps back.
    state: () => Promise.resolve(over || restartPoint.step === 0 ? null : {
      step: restartPoint.step, params: restartPoint.params.slice(), m: restartPoint.m.slice(), v: restartPoint.v.slice(),
    }),
    finished,
    finalParams: () => assembled,
  };
}
