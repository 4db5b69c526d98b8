// Web Worker entry that trains one run on its own GPUDevice and streams the metric records back,
// so the page never blocks on training.
/// <reference lib="webworker" />
import { loadDataset } from '../core/datasets';
import { requestDevice } from '../gpu/device';
import { RunSwitch, runTraining } from '../gpu/train-run';
import type { FromWorker, ToWorker } from './protocol';

const scope = self as unknown as DedicatedWorkerGlobalScope;
const control = new RunSwitch();
const post = (m: FromWorker) => scope.postMessage(m);

async function fetchAsset(file: string): Promise<Uint8Array> {
  const response = await fetch(`${import.meta.env.BASE_URL}data/${file}`);
  if (!response.ok) throw new Error(`could not load ${file}: HTTP ${response.status}`);
  return new Uint8Array(await response.arrayBuffer());
}

async function start(config: Extract<ToWorker, { type: 'start' }>['config']): Promise<void> {
  try {
    const [device, dataset] = await Promise.all([
      requestDevice(navigator.gpu),
      loadDataset(config.dataset, config.seed, fetchAsset),
    ]);
    const info = device.adapterInfo;
    post({ type: 'ready', adapter: [info.vendor, info.architecture, info.description].filter(Boolean).join(' ') || 'WebGPU adapter' });
    await runTraining({ device, config, dataset, control, emit: (record) => post({ type: 'metric', record }) });
  } catch (e) {
    post({ type: 'error', message: e instanceof Error ? e.message : String(e) });
  }
  post({ type: 'finished' });
}

scope.onmessage = (event: MessageEvent<ToWorker>) => {
  const m = event.data;
  if (m.type === 'start') void start(m.config);
  else if (m.type === 'pause') control.pause();
  else if (m.type === 'resume') control.resume();
  else control.stop();
};
