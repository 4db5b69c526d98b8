// The model-parallel coordinator, shared by the page and the CLI: splits the model (pipeline stages or
// tensor-parallel slices), hands each worker its part of the weights, wires stage neighbours (pipeline)
// or a ring (tensor), merges the workers' reports into the metrics stream (loss, timelines, bubble,
// traffic, activation memory), assembles the final model for its checksum, and keeps consistent
// checkpoints (every worker's state after the same step) to restart all workers from when one fails.
import type { RunConfig } from '../core/config';
import { weightsSha256 } from '../core/checksum';
import { divergedMessage, type MetricRecord } from '../core/metrics';
import { initParams, layerSizes, modelLayout } from '../core/model';
import {
  assembleParts, bubbleTheory, extractPart, measuredBubble, microbatchSizes, modelParallelPlan,
} from '../core/model-parallel';
import { epochPlan, shardSpec } from '../core/sharding';
import type { TrainingState } from '../gpu/train-run';
import { prepareRun, type CoordinatorEnv, type ReplicaWorker, type RunHandle } from './coordinator';
import { Heartbeat } from './heartbeat';
import type { FromReplica, PartReport, ToReplica } from './replica-protocol';

/** Steps between the consistent states a restart replays from, when no checkpoint interval is asked for. */
const RESTART_EVERY = 16;
/** Restarts allowed in one run before a failure stops it (a fault that repeats is not transient). */
const MAX_RECOVERIES = 3;

export interface ModelParallelOptions {
  config: RunConfig;
  env: CoordinatorEnv;
  emit: (record: MetricRecord) => void;
  onReady?: (rank: number, adapter: string) => void;
  /** Heartbeat period; a worker silent for three periods is taken for dead (default 2 s). */
  heartbeatMs?: number;
  /** Continue a run from a saved whole-model state (any mode's: the parts are cut from it). */
  resumeFrom?: TrainingState;
  /** Receive the whole model's state every `every` steps. */
  checkpoint?: { every: number; save: (state: TrainingState) => void };
}

/** How the page and the CLI name worker k of a run. */
export function workerName(config: Pick<RunConfig, 'mode'>, rank: number): string {
  return config.mode === 'pipeline' ? `stage ${rank}` : config.mode === 'tensor' ? `tensor-parallel worker ${rank}` : `replica ${rank}`;
}

export async function startModelParallel({
  config, env, emit, onReady, heartbeatMs = 2000, resumeFrom, checkpoint,
}: ModelParallelOptions): Promise<RunHandle> {
  const dataset = await prepareRun(config, env.readAsset);
  const model = modelLayout(layerSizes(config, dataset.inputs, dataset.classes));
  const plan = modelParallelPlan(config, model);
  const world = plan.workers.length;
  const totalSteps = epochPlan(shardSpec(config), 1, dataset.train.y).steps * config.epochs;
  const theory = config.mode === 'pipeline' ? bubbleTheory(world, microbatchSizes(config.batch, config.microbatches).length) : null;
  if (resumeFrom && resumeFrom.params.length !== model.totalFloats) {
    throw new Error(`the saved state has ${resumeFrom.params.length} floats, this model needs ${model.totalFloats}`);
  }
  const zeros = () => new Float32Array(model.totalFloats);
  /** The whole model after `step` steps, with every worker's part from that same step: where a restart begins. */
  let restartPoint: TrainingState = resumeFrom ?? { step: 0, params: initParams(model, config.seed), m: zeros(), v: zeros() };
  const checkpointEvery = checkpoint?.every ?? RESTART_EVERY;

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
  let samples = 0;
  let ready = 0;
  let assembled: Float32Array | null = null;
  const started = performance.now();
  const reports = new Map<number, PartReport[]>();
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
    const loss = group.find((r) => r.loss)!.loss!;
    const mean = loss.lossSum / loss.rows;
    if (!Number.isFinite(mean)) {
      end({ type: 'stopped', step, reason: 'diverged', message: divergedMessage({ step, what: 'loss', value: mean, lr: config.lr, kept: null }) });
      return;
    }
    emit({ type: 'step', step, epoch: group[0].epoch, loss: mean, accuracy: loss.correct / loss.rows });
    const origin = Math.min(...group.flatMap((r) => r.spans.map((s) => s.start)));
    const spans = group.map((r) => r.spans.map((s) => ({ ...s, start: s.start - origin, end: s.end - origin })));
    emit({
      type: 'stages', step, mode: config.mode as 'pipeline' | 'tensor', spans, bubble: measuredBubble(spans), theory,
      bytesSent: group.map((r) => r.bytesSent), activationBytes: group.map((r) => r.activationBytes),
    });
    samples += loss.rows;
    lastStep = step;
    const elapsedMs = performance.now() - started;
    emit({ type: 'timing', step, totalSteps, samplesPerSec: samples / (elapsedMs / 1000), elapsedMs });
    while (heldEvals.length && (heldEvals[0] as { step: number }).step <= lastStep) emit(heldEvals.shift()!);
  };

  /** Every worker's state after `step` is in: the whole model's consistent state. */
  const onState = (state: TrainingState, rank: number) => {
    const group = states.get(state.step) ?? [];
    group[rank] = state;
    states.set(state.step, group);
    if (group.filter(Boolean).length < world) return;
    states.delete(state.step);
    const whole = (pick: (s: TrainingState) => Float32Array) => assembleParts(model, plan, group.map(pick));
    restartPoint = { step: state.step, params: whole((s) => s.params), m: whole((s) => s.m), v: whole((s) => s.v) };
    if (checkpoint && state.step % checkpoint.every === 0) {
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
          heartbeat?.start();
          workers.forEach((_, r) => send(r, { type: 'go' }));
        }
        break;
      case 'part-report': {
        // Steps replayed after a restart were reported before.
        if (m.step <= lastStep) break;
        const group = reports.get(m.step) ?? [];
        group.push(m);
        reports.set(m.step, group);
        if (group.length === world) {
          reports.delete(m.step);
          emitStep(m.step, group);
        }
        break;
      }
      case 'metric':
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
        if (parts.filter(Boolean).length === world) void finish();
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
    const links = Array.from({ length: world }, () => env.channel());
    workers.forEach((w, rank) => {
      w.addEventListener('message', (e) => onMessage(gen, e.data as FromReplica));
      w.onCrash((message) => void onFailure(gen, rank, `crashed: ${message}`));
    });
    const pipeline = config.mode === 'pipeline';
    workers.forEach((_, rank) => {
      // Pipeline: stage k's `next` talks to stage k+1's `prev`. Tensor: a ring, as data parallelism's.
      const prev = pipeline && rank > 0 ? links[rank - 1].port2 : undefined;
      const next = pipeline && rank < world - 1 ? links[rank].port1 : undefined;
      const left = !pipeline ? links[(rank + world - 1) % world].port2 : undefined;
      const right = !pipeline ? links[rank].port1 : undefined;
      const part = (full: Float32Array) => extractPart(model, full, plan.workers[rank]);
      const weights = part(from.params);
      const resume = from.step > 0 ? { step: from.step, m: part(from.m), v: part(from.v) } : undefined;
      const ports = [prev, next, left, right].filter((p): p is MessagePort => p !== undefined);
      send(rank, {
        type: 'init', config, rank, world, initialParams: weights, resume, left, right, checkpointEvery, part: { plan: plan.workers[rank], prev, next },
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
      all({ type: 'pause' });
    },
    resume: () => {
      paused = false;
      all({ type: 'resume' });
    },
    step: () => all({ type: 'step' }),
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
