// The data-parallel coordinator, shared by the page and the CLI: validates the plan, broadcasts rank 0's
// initial weights, wires the ring, runs the star all-reduce, and merges the replicas' reports into
// the metrics stream (global loss, per-replica losses, shard ids, phase times, sync checksums), and
// restarts the replicas when one crashes or loses its GPU device (from a survivor's state, or with local
// SGD from every replica's state at the last synchronisation, replaying the steps since), and stops a
// diverged run at its last good state, naming the replicas whose loss or gradient went non-finite.
import { ringTheoryBytes, starSum } from './allreduce';
import type { RunConfig } from '../core/config';
import { datasetShape, loadLabels } from '../core/datasets';
import { divergedMessage, LossWatch, type MetricRecord } from '../core/metrics';
import { initParams, layerSizes, modelLayout } from '../core/model';
import { checkPlan, epochPlan, shardSpec } from '../core/sharding';
import { Throughput } from '../core/throughput';
import { runClock, validateForDataset, type ParamsSnapshot, type TrainingState } from '../gpu/train-run';
import { Heartbeat } from './heartbeat';
import type { Endpoint } from './ports';
import { StepGroups } from './step-groups';
import type { FromReplica, StepReport, ToReplica } from './replica-protocol';

/** Replica restarts allowed in one run before a failure stops it (a fault that repeats is not transient). */
const MAX_RECOVERIES = 3;
/** How long a surviving replica has to hand over its state. */
const STATE_TIMEOUT_MS = 10_000;

export interface ReplicaWorker extends Endpoint {
  terminate(): void;
  /** Calls back once if the worker dies (an uncaught error or an exit). */
  onCrash(listener: (message: string) => void): void;
}

export interface CoordinatorEnv {
  spawn(rank: number): ReplicaWorker;
  channel(): { port1: MessagePort; port2: MessagePort };
  readAsset(file: string): Promise<Uint8Array>;
}

/** Pause, resume, single steps and stop for a whole data-parallel run, and live weights. */
export interface RunHandle {
  pause(): void;
  resume(): void;
  /** Every replica takes one more step, then holds paused. */
  step(): void;
  stop(): void;
  /** Rank 0's current weights (flat layout) and the step they follow; null before training starts. */
  snapshot(): Promise<ParamsSnapshot | null>;
  /**
   * The run's whole state now (weights, optimizer state, steps), to save at a pause; null where one
   * replica's state is not the run's (local SGD) or before training starts.
   */
  state(): Promise<TrainingState | null>;
  /** Resolves with the last record: done or stopped. */
  finished: Promise<MetricRecord>;
  /** Rank 0's final weights (flat layout), once the run is done. */
  finalParams(): Float32Array | null;
}

/** What starts a run, in any mode: the data-parallel coordinator here, the model-parallel one in model-coordinator.ts. */
export interface RunOptions {
  config: RunConfig;
  env: CoordinatorEnv;
  emit: (record: MetricRecord) => void;
  /** Called once per worker with a description of its adapter. */
  onReady?: (rank: number, adapter: string) => void;
  /** Heartbeat period; a worker silent for three periods is taken for dead (default 2 s). */
  heartbeatMs?: number;
  /** Continue a run from a saved whole-model state. */
  resumeFrom?: TrainingState;
  /**
   * Receive the whole model's state every `every` steps (data parallel: a single replica, or gradient
   * all-reduce every step; model parallel: at the first consistent state on or after each multiple).
   */
  checkpoint?: { every: number; save: (state: TrainingState) => void };
}

/**
 * Validates the run against its data set's sizes and labels (the page decodes no pixels: the workers load
 * their own copy); throws a message naming the field and the limits.
 */
export async function prepareRun(config: RunConfig, readAsset: (file: string) => Promise<Uint8Array>) {
  const dataset = await loadLabels(config.dataset, config.seed, readAsset);
  validateForDataset(config, dataset);
  checkPlan(shardSpec(config), dataset.train.y, dataset.classes);
  return dataset;
}

export async function startDataParallel({
  config, env, emit, onReady, heartbeatMs = 2000, resumeFrom, checkpoint,
}: RunOptions): Promise<RunHandle> {
  const shape = datasetShape(config.dataset);
  const world = config.replicas;
  const layout = modelLayout(layerSizes(config, shape.inputs, shape.classes));
  // The replicas start their devices, data and trainers while the page checks the run against its data
  // set; none trains before that check has passed (they wait for 'go').
  const preparing = prepareRun(config, env.readAsset);
  let prepared = false;
  const initial = initParams(layout, config.seed);
  let workers: ReplicaWorker[] = [];
  /** Bumped each time the replicas are (re)started; messages of an older generation are stale. */
  let generation = 0;
  let recoveries = 0;
  let recovering = false;
  /** A step went non-finite: the run is ending at its last good state; nothing else may end it first. */
  let halting = false;
  const watch = new LossWatch(config.lr);
  let paused = false;
  const send = (rank: number, m: ToReplica, transfer: Transferable[] = []) => workers[rank].postMessage(m, transfer);

  let settle: (r: MetricRecord) => void = () => {};
  const finished = new Promise<MetricRecord>((resolve) => { settle = resolve; });
  let over = false;
  const stopWorkers = () => {
    heartbeat?.stop();
    workers.forEach((w) => w.terminate());
  };
  const end = (record: MetricRecord) => {
    if (over) return;
    over = true;
    snapshots.forEach((resolve) => resolve(null));
    states.forEach((resolve) => resolve(null));
    emit(record);
    stopWorkers();
    settle(record);
  };

  const reports = new StepGroups<StepReport>(world);
  let heartbeat: Heartbeat | null = null;
  const starRounds = new Map<number, Float32Array[]>();
  const heldEvals: MetricRecord[] = [];
  const shas: (string | null)[] = [];
  let params: Float32Array | null = null;
  /** Local SGD: each rank's state at a synchronisation, until all ranks have sent theirs. */
  const syncStates = new Map<number, TrainingState[]>();
  /** Local SGD: every rank's state at the latest synchronisation all of them reached. */
  let lastSync: TrainingState[] | null = null;
  let lastEvalStep = 0;
  let soloLast: MetricRecord | null = null;
  const snapshots = new Map<number, (s: ParamsSnapshot | null) => void>();
  const states = new Map<number, (s: TrainingState | null) => void>();
  let requestId = 0;
  let ready = 0;
  let lastStep = 0;
  let lastEval = 0;
  const startedAt = runClock();
  /** From the first 'go' on: replicas restarted after a fault go on with the same figures. */
  let throughput: Throughput | null = null;
  let totalSteps = 0;
  /** Every replica is ready and the run is checked: training starts. */
  const go = () => {
    throughput ??= new Throughput(startedAt, runClock(), lastStep);
    // Silence is judged once all train; a single replica has no one to take over from.
    if (world > 1) heartbeat?.start();
    workers.forEach((_, r) => send(r, { type: 'go' }));
  };

  const emitStep = (step: number, group: StepReport[]) => {
    group.sort((a, b) => a.rank - b.rank);
    const rows = group.reduce((s, r) => s + r.rows, 0);
    const loss = group.reduce((s, r) => s + r.lossSum, 0) / rows;
    if (group.some((r) => r.nonFinite)) {
      void haltDiverged(step, group);
      return;
    }
    const epoch = group[0].epoch;
    emit({
      type: 'step', step, epoch, loss, accuracy: group.reduce((s, r) => s + r.correct, 0) / rows,
      replicaLoss: group.map((r) => r.lossSum / r.rows),
    });
    const warning = watch.check(step, loss);
    if (warning) emit(warning);
    const padded = group.some((r) => r.padded.length > 0) ? { padded: group.map((r) => r.padded) } : {};
    emit({ type: 'shard', step, epoch, ids: group.map((r) => r.ids), ...padded });
    const synced = group.some((r) => r.bytesSent > 0);
    emit({
      type: 'workers', step, clock: group.every((r) => r.gpuTimed) ? 'gpu' : 'wall', times: group.map((r) => r.times), bytesSent: group.map((r) => r.bytesSent),
      theoryBytes: synced && config.allreduce === 'ring' ? ringTheoryBytes(layout.totalFloats * 8, world)
        : synced ? layout.totalFloats * 4 : 0,
    });
    if (group.every((r) => r.checksum)) {
      const checksums = group.map((r) => r.checksum!);
      const drift = group.every((r) => r.drift !== undefined) ? group.map((r) => r.drift!) : undefined;
      emit({ type: 'sync', step, checksums, inSync: checksums.every((c) => c === checksums[0]), drift });
    }
    lastStep = step;
    const now = runClock();
    emit(throughput!.record(step, rows, totalSteps, now));
    // A single step (Step while paused) is over: the clock holds again.
    if (paused) throughput!.hold(now);
    while (heldEvals.length && (heldEvals[0] as { step: number }).step <= lastStep) emit(heldEvals.shift()!);
  };

  /**
   * Step `step` went non-finite on some replica: none of the replicas that saw it took its update, and
   * each holds its last good state, from before the two steps before it at the latest (those that saw
   * nothing went on, so their state is not asked for). That state is saved as the run's
   * checkpoint and the run stops there, naming the replicas whose own loss or gradient it was.
   */
  const haltDiverged = async (step: number, group: StepReport[]) => {
    halting = true;
    const flagged = group.filter((r) => r.nonFinite);
    const culprits = flagged.filter((r) => r.nonFinite!.what !== 'sum');
    const first = (culprits[0] ?? flagged[0]).nonFinite!;
    let kept: TrainingState | null = null;
    if (config.sync === 'step') {
      // Replicas not at fault first: a fault in one replica's own state would show in its copy too.
      for (const r of [...flagged.filter((x) => !culprits.includes(x)), ...culprits]) {
        kept = await requestState(r.rank);
        if (kept || over) break;
      }
    }
    if (over) return;
    if (kept) checkpoint?.save(kept);
    const message = divergedMessage({
      step, what: first.what === 'loss' ? 'loss' : 'gradient', value: first.value, ranks: culprits.map((r) => r.rank),
      lr: config.lr, kept: kept?.step ?? null,
    });
    end({ type: 'stopped', step: kept?.step ?? lastStep, reason: 'diverged', message, divergedAt: step });
  };

  const onMessage = (gen: number, m: FromReplica) => {
    if (over) return;
    if (m.type === 'state') {
      states.get(m.id)?.(m.state);
      states.delete(m.id);
      return;
    }
    if (gen !== generation) return;
    heartbeat?.heard(m.rank);
    switch (m.type) {
      case 'ready':
        onReady?.(m.rank, m.adapter);
        if (++ready === world && prepared) go();
        break;
      case 'report': {
        // After a restart from a synchronisation, the replayed steps were already reported.
        if (m.step <= lastStep) break;
        const group = reports.add(m);
        if (group) emitStep(m.step, group);
        break;
      }
      case 'star': {
        const round = starRounds.get(m.round) ?? [];
        round[m.rank] = m.data;
        starRounds.set(m.round, round);
        if (round.filter(Boolean).length === world) {
          starRounds.delete(m.round);
          const sum = starSum(round, m.scale);
          for (let r = 0; r < world; r++) {
            const copy = sum.slice();
            send(r, { type: 'star', round: m.round, data: copy }, [copy.buffer]);
          }
        }
        break;
      }
      case 'metric':
        if (m.evalMs !== undefined) throughput?.exclude(m.evalMs);
        if (world === 1) {
          if (m.record.type === 'done' || m.record.type === 'stopped') soloLast = m.record;
          else emit(m.record);
        } else if (m.record.type === 'eval' && m.record.step > lastEvalStep) {
          lastEvalStep = m.record.step;
          lastEval = m.record.testAccuracy;
          if (m.record.step <= lastStep) emit(m.record);
          else heldEvals.push(m.record);
        }
        break;
      case 'finished':
        if (halting) break;
        shas[m.rank] = m.weightsSha256;
        if (m.params) params = m.params;
        if (world === 1) end(soloLast ?? { type: 'stopped', step: lastStep, reason: 'error', message: 'replica 0 finished without a result' });
        else if (shas.filter((s) => s !== undefined).length === world) {
          const agree = shas.every((s) => s === shas[0]);
          if (shas[0] && agree) end({ type: 'done', steps: lastStep, testAccuracy: lastEval, weightsSha256: shas[0] });
          else end({ type: 'stopped', step: lastStep, reason: 'error', message: `replicas finished with different weights: ${shas.join(', ')}` });
        }
        break;
      case 'pong':
        break;
      case 'checkpoint':
        checkpoint?.save(m.state);
        break;
      case 'sync-state': {
        const step = m.state.step;
        const states = syncStates.get(step) ?? [];
        states[m.rank] = m.state;
        syncStates.set(step, states);
        if (states.filter(Boolean).length === world) {
          lastSync = states;
          for (const s of syncStates.keys()) if (s <= step) syncStates.delete(s);
        }
        break;
      }
      case 'snapshot':
        snapshots.get(m.id)?.(m.snapshot);
        snapshots.delete(m.id);
        break;
      case 'error':
        void onFailure(gen, m.rank, `failed: ${m.message}`);
        break;
    }
  };

  /** Starts a generation of replicas, from the initial weights or from each rank's given state. */
  const launch = (stateOf: ((rank: number) => TrainingState) | null) => {
    const gen = ++generation;
    ready = 0;
    reports.clear();
    heartbeat?.stop();
    // A Web Worker that is terminated or dies without an error event is only noticed by its silence.
    heartbeat = new Heartbeat(world, heartbeatMs, (rank) => send(rank, { type: 'ping' }),
      (rank) => void onFailure(gen, rank, 'stopped answering (its worker was terminated or hung)'));
    starRounds.clear();
    syncStates.clear();
    shas.length = 0;
    workers = Array.from({ length: world }, (_, rank) => env.spawn(rank));
    const links = Array.from({ length: world }, () => env.channel());
    workers.forEach((w, rank) => {
      w.addEventListener('message', (e) => onMessage(gen, e.data as FromReplica));
      w.onCrash((message) => void onFailure(gen, rank, `crashed: ${message}`));
    });
    workers.forEach((_, rank) => {
      const ring = config.allreduce === 'ring' && world > 1;
      const left = ring ? links[(rank + world - 1) % world].port2 : undefined;
      const right = ring ? links[rank].port1 : undefined;
      const state = stateOf?.(rank);
      const weights = (state?.params ?? initial).slice();
      const resume = state ? { step: state.step, m: state.m.slice(), v: state.v.slice() } : undefined;
      send(rank, { type: 'init', config, rank, world, initialParams: weights, resume, left, right, checkpointEvery: checkpoint?.every, startedAt }, [
        weights.buffer, ...(resume ? [resume.m.buffer, resume.v.buffer] : []), ...(left ? [left] : []), ...(right ? [right] : []),
      ]);
      if (paused) send(rank, { type: 'pause' });
    });
  };

  /** Asks one replica of the current generation for its whole state; null if it does not answer in time. */
  const requestState = (rank: number): Promise<TrainingState | null> => {
    const id = ++requestId;
    return new Promise((resolve) => {
      states.set(id, resolve);
      send(rank, { type: 'state', id });
      setTimeout(() => {
        if (states.delete(id)) resolve(null);
      }, STATE_TIMEOUT_MS);
    });
  };

  /**
   * A replica crashed or lost its device. With gradient all-reduce every step all replicas hold the same
   * weights and optimizer state, so the survivors' most advanced state restarts every replica; with local
   * SGD all restart from the last synchronisation. Either way the run ends with the checksum it would
   * have had. A single replica, or one restart too many, stops the run, keeping its metrics.
   */
  const onFailure = async (gen: number, rank: number, what: string) => {
    if (over || gen !== generation || recovering || halting) return;
    const message = `replica ${rank} ${what}`;
    if (ready < world) {
      end({ type: 'stopped', step: lastStep, reason: 'error', message: `replica ${rank} could not start, so the run did not start: ${what.replace(/^(failed|crashed): /, '')}` });
      return;
    }
    if (world === 1 || recoveries >= MAX_RECOVERIES) {
      const why = recoveries >= MAX_RECOVERIES ? ` (after ${MAX_RECOVERIES} restarts)` : '';
      end({ type: 'stopped', step: lastStep, reason: 'error', message: `${message}${why}` });
      return;
    }
    recovering = true;
    recoveries++;
    if (config.sync !== 'step') {
      // Local SGD: between synchronisations every replica's weights and optimizer state are its own, so
      // all restart from their states at the last synchronisation (or the start) and replay the steps since.
      workers.forEach((w) => w.terminate());
      const from = lastSync;
      emit({ type: 'fault', step: lastStep, rank, message, restartedFrom: from?.[0].step ?? 0 });
      recovering = false;
      launch(from && ((r) => from[r]));
      return;
    }
    const answers = await Promise.all(workers.map((_, r) => (r === rank ? Promise.resolve(null) : requestState(r))));
    if (over) return;
    const best = answers.reduce<TrainingState | null>((a, b) => (b && (!a || b.step > a.step) ? b : a), null);
    workers.forEach((w) => w.terminate());
    if (!best) {
      end({ type: 'stopped', step: lastStep, reason: 'error', message: `${message}, and no other replica could hand over its state` });
      return;
    }
    emit({ type: 'fault', step: lastStep, rank, message, restartedFrom: best.step });
    lastStep = Math.max(lastStep, best.step);
    recovering = false;
    launch(() => best);
  };

  if (resumeFrom) lastStep = resumeFrom.step;
  launch(resumeFrom ? () => resumeFrom : null);
  try {
    const dataset = await preparing;
    totalSteps = epochPlan(shardSpec(config), 1, dataset.train.y).steps * config.epochs;
  } catch (e) {
    over = true;
    stopWorkers();
    throw e;
  }
  prepared = true;
  if (ready === world && !over) go();

  return {
    pause: () => {
      paused = true;
      throughput?.hold(runClock());
      workers.forEach((_, r) => send(r, { type: 'pause' }));
    },
    resume: () => {
      paused = false;
      throughput?.resume(runClock());
      workers.forEach((_, r) => send(r, { type: 'resume' }));
    },
    step: () => {
      throughput?.resume(runClock());
      workers.forEach((_, r) => send(r, { type: 'step' }));
    },
    snapshot: () => {
      if (over) return Promise.resolve(null);
      const id = ++requestId;
      return new Promise((resolve) => {
        snapshots.set(id, resolve);
        send(0, { type: 'snapshot', id });
      });
    },
    state: () => (over || (world > 1 && config.sync !== 'step') ? Promise.resolve(null) : requestState(0)),
    stop: () => {
      workers.forEach((_, r) => send(r, { type: 'stop' }));
      end({ type: 'stopped', step: lastStep, reason: 'user', message: `stopped at step ${lastStep}` });
    },
    finished,
    finalParams: () => params,
  };
}
