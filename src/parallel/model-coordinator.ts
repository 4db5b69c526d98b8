// The model-parallel coordinator, shared by the page and the CLI: splits the model (pipeline stages or
// tensor-parallel slices), hands each worker its part of the seeded initial weights, wires stage
// neighbours (pipeline) or a ring (tensor), merges the workers' reports into the metrics stream
// (loss, timelines, bubble, traffic, activation memory), and assembles the final model for its checksum.
import type { RunConfig } from '../core/config';
import { weightsSha256 } from '../core/checksum';
import { divergedMessage, type MetricRecord } from '../core/metrics';
import { initParams, layerSizes, modelLayout } from '../core/model';
import {
  assembleParts, bubbleTheory, extractPart, measuredBubble, microbatchSizes, modelParallelPlan,
} from '../core/model-parallel';
import { epochPlan, shardSpec } from '../core/sharding';
import { prepareRun, type CoordinatorEnv, type ReplicaWorker, type RunHandle } from './coordinator';
import { Heartbeat } from './heartbeat';
import type { FromReplica, PartReport, ToReplica } from './replica-protocol';

export interface ModelParallelOptions {
  config: RunConfig;
  env: CoordinatorEnv;
  emit: (record: MetricRecord) => void;
  onReady?: (rank: number, adapter: string) => void;
  /** Heartbeat period; a worker silent for three periods is taken for dead (default 2 s). */
  heartbeatMs?: number;
}

/** How the page and the CLI name worker k of a run. */
export function workerName(config: Pick<RunConfig, 'mode'>, rank: number): string {
  return config.mode === 'pipeline' ? `stage ${rank}` : config.mode === 'tensor' ? `tensor-parallel worker ${rank}` : `replica ${rank}`;
}

export async function startModelParallel({ config, env, emit, onReady, heartbeatMs = 2000 }: ModelParallelOptions): Promise<RunHandle> {
  const dataset = await prepareRun(config, env.readAsset);
  const model = modelLayout(layerSizes(config, dataset.inputs, dataset.classes));
  const plan = modelParallelPlan(config, model);
  const world = plan.workers.length;
  const initial = initParams(model, config.seed);
  const totalSteps = epochPlan(shardSpec(config), 1, dataset.train.y).steps * config.epochs;
  const theory = config.mode === 'pipeline' ? bubbleTheory(world, microbatchSizes(config.batch, config.microbatches).length) : null;

  const workers: ReplicaWorker[] = Array.from({ length: world }, (_, rank) => env.spawn(rank));
  const send = (rank: number, m: ToReplica, transfer: Transferable[] = []) => workers[rank].postMessage(m, transfer);
  let settle: (r: MetricRecord) => void = () => {};
  const finished = new Promise<MetricRecord>((resolve) => { settle = resolve; });
  let over = false;
  let lastStep = 0;
  let lastEval = 0;
  let samples = 0;
  let ready = 0;
  let assembled: Float32Array | null = null;
  const started = performance.now();
  const reports = new Map<number, PartReport[]>();
  const heldEvals: MetricRecord[] = [];
  const parts: (Float32Array | undefined)[] = [];
  let partsIn = 0;

  const end = (record: MetricRecord) => {
    if (over) return;
    over = true;
    heartbeat.stop();
    emit(record);
    workers.forEach((w) => w.terminate());
    settle(record);
  };
  const fail = (rank: number, what: string) => end({
    type: 'stopped', step: lastStep, reason: 'error',
    message: `${workerName(config, rank)} ${what}; the run stopped at step ${lastStep} (its metrics are kept)`,
  });
  const heartbeat = new Heartbeat(world, heartbeatMs, (rank) => send(rank, { type: 'ping' }),
    (rank) => fail(rank, 'stopped answering (its worker was terminated or hung)'));

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

  const finish = async () => {
    assembled = assembleParts(model, plan, parts as Float32Array[]);
    const sha = await weightsSha256(model, assembled);
    end({ type: 'done', steps: lastStep, testAccuracy: lastEval, weightsSha256: sha });
  };

  const onMessage = (m: FromReplica) => {
    if (over) return;
    heartbeat.heard(m.rank);
    switch (m.type) {
      case 'ready':
        onReady?.(m.rank, m.adapter);
        if (++ready === world) {
          heartbeat.start();
          workers.forEach((_, r) => send(r, { type: 'go' }));
        }
        break;
      case 'part-report': {
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
        if (m.record.type === 'eval') {
          lastEval = m.record.testAccuracy;
          if (m.record.step <= lastStep) emit(m.record);
          else heldEvals.push(m.record);
        }
        break;
      case 'finished':
        if (!m.params) return;
        parts[m.rank] = m.params;
        if (++partsIn === world) void finish();
        break;
      case 'error':
        fail(m.rank, `failed: ${m.message}`);
        break;
      default:
        break;
    }
  };

  const links = Array.from({ length: world }, () => env.channel());
  workers.forEach((w, rank) => {
    w.addEventListener('message', (e) => onMessage(e.data as FromReplica));
    w.onCrash((message) => fail(rank, `crashed: ${message}`));
  });
  workers.forEach((_, rank) => {
    const pipeline = config.mode === 'pipeline';
    // Pipeline: stage k's `next` talks to stage k+1's `prev`. Tensor: a ring, as data parallelism's.
    const prev = pipeline && rank > 0 ? links[rank - 1].port2 : undefined;
    const next = pipeline && rank < world - 1 ? links[rank].port1 : undefined;
    const left = !pipeline ? links[(rank + world - 1) % world].port2 : undefined;
    const right = !pipeline ? links[rank].port1 : undefined;
    const weights = extractPart(model, initial, plan.workers[rank]);
    const ports = [prev, next, left, right].filter((p): p is MessagePort => p !== undefined);
    send(rank, { type: 'init', config, rank, world, initialParams: weights, left, right, part: { plan: plan.workers[rank], prev, next } }, [weights.buffer, ...ports]);
  });

  const all = (m: ToReplica) => workers.forEach((_, r) => send(r, m));
  return {
    pause: () => all({ type: 'pause' }),
    resume: () => all({ type: 'resume' }),
    step: () => all({ type: 'step' }),
    stop: () => {
      all({ type: 'stop' });
      end({ type: 'stopped', step: lastStep, reason: 'user', message: `stopped at step ${lastStep}` });
    },
    // Live weights and saved states come from a single worker in data parallelism; a split model has none.
    snapshot: () => Promise.resolve(null),
    state: () => Promise.resolve(null),
    finished,
    finalParams: () => assembled,
  };
}
