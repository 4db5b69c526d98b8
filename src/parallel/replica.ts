// One worker of a run: its own GPUDevice and data, answering the coordinator's messages. Transport-agnostic:
// a Web Worker and a worker_thread both call serveReplica with their own device, data loader and port.
// A replica's step: the schedule (gpu/run-schedule.ts) names its shard of the global batch; the GPU step
// (gpu/replica-step.ts) computes its gradients; the exchange (allreduce.ts) sums them over the replicas; the
// update follows and the report goes to the coordinator (replica-loop.ts, replica-steps.ts). A single
// replica trains like one device (gpu/train-run.ts); an init with a `part` makes a model-parallel worker
// (part-worker.ts).
import { weightsSha256 } from '../core/checksum';
import { loadDataset, type Dataset } from '../core/datasets';
import { layerSizes, modelLayout } from '../core/model';
import { RunSwitch } from '../gpu/run-switch';
import { runTraining } from '../gpu/train-run';
import { trainPart } from './part-worker';
import { Inbox, type Endpoint } from './ports';
import type { FromReplica, ToReplica } from './replica-protocol';
import { trainReplica } from './replica-loop';
import { postState, stateTransfer, type PostToCoordinator, type WorkerInit } from './worker-messages';

export interface ReplicaEnv {
  coordinator: Endpoint;
  requestDevice(): Promise<GPUDevice>;
  readAsset(file: string): Promise<Uint8Array>;
}

export function serveReplica(env: ReplicaEnv): void {
  const control = new RunSwitch();
  const inbox = new Inbox<ToReplica>(env.coordinator, (m) => m.type === 'init' || m.type === 'go' || m.type === 'star' || m.type === 'shares');
  let rank = -1;
  env.coordinator.addEventListener('message', (event) => answerControl(env.coordinator, control, event.data as ToReplica, rank));
  void inbox.next((m) => m.type === 'init').then((m) => {
    rank = (m as WorkerInit).rank;
    return run(env, m as WorkerInit, inbox, control);
  });
}

/** The messages a worker answers at any time, training or not: run controls, heartbeats, state requests. */
function answerControl(coordinator: Endpoint, control: RunSwitch, m: ToReplica, rank: number): void {
  const post = (reply: FromReplica, transfer: Transferable[] = []) => coordinator.postMessage(reply, transfer);
  if (m.type === 'pause') control.pause();
  else if (m.type === 'resume') control.resume();
  else if (m.type === 'step') control.stepOnce();
  else if (m.type === 'stop') control.stop();
  else if (m.type === 'ping') post({ type: 'pong', rank });
  else if (m.type === 'state') {
    void control.state(m.current === true).then((state) => post({ type: 'state', rank, id: m.id, state }, state ? stateTransfer(state) : []));
  } else if (m.type === 'snapshot') {
    void control.snapshot().then((snapshot) => post({ type: 'snapshot', rank, id: m.id, snapshot }, snapshot ? [snapshot.params.buffer] : []));
  }
}

async function run(env: ReplicaEnv, init: WorkerInit, inbox: Inbox<ToReplica>, control: RunSwitch): Promise<void> {
  const post: PostToCoordinator = (m, transfer = []) => env.coordinator.postMessage(m, transfer);
  const { rank } = init;
  try {
    const [device, dataset] = await Promise.all([
      env.requestDevice(),
      loadDataset(init.config.dataset, init.config.seed, env.readAsset),
    ]);
    const info = device.adapterInfo;
    /** Tells the coordinator this replica can train, and waits until every replica can. */
    const ready = async () => {
      post({ type: 'ready', rank, adapter: [info.vendor, info.architecture, info.description].filter(Boolean).join(' ') || 'WebGPU adapter' });
      await inbox.next((m) => m.type === 'go');
    };
    if (init.part) {
      // A model-parallel worker hands its part back; the coordinator assembles and checksums the model.
      const part = await trainPart(device, init, dataset, control, post, ready);
      post({ type: 'finished', rank, weightsSha256: null, params: part ?? undefined }, part ? [part.buffer] : []);
      return;
    }
    const params = init.world === 1
      ? await ready().then(() => trainAlone(device, init, dataset, control, post))
      : await trainReplica(device, init, dataset, control, inbox, post, ready);
    const layout = modelLayout(layerSizes(init.config, dataset.inputs, dataset.classes));
    const weightsSha = params ? await weightsSha256(layout, params) : null;
    post({ type: 'finished', rank, weightsSha256: weightsSha, params: rank === 0 && params ? params : undefined }, params && rank === 0 ? [params.buffer] : []);
  } catch (e) {
    post({ type: 'error', rank, message: e instanceof Error ? e.message : String(e) });
  }
}

/** One replica is single-device training: the fast loop with no per-step readback. */
async function trainAlone(device: GPUDevice, init: WorkerInit, dataset: Dataset, control: RunSwitch, post: PostToCoordinator): Promise<Float32Array | null> {
  let params: Float32Array | null = null;
  const every = init.checkpointEvery;
  await runTraining({
    device, config: init.config, dataset, control, startedAt: init.startedAt,
    emit: (record) => post({ type: 'metric', rank: 0, record }),
    onFinalParams: (p) => { params = p; },
    resumeFrom: init.resume && { ...init.resume, params: init.initialParams },
    checkpoint: every ? { every, save: async (state) => postState(post, 'checkpoint', 0, state) } : undefined,
  });
  return params;
}
