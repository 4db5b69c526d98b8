// The coordinator's environment in the page: replicas are module Web Workers, ring links are
// MessageChannels between them, data is fetched from the site.
import type { CoordinatorEnv, ReplicaWorker } from './coordinator';
import { fetchAsset } from './fetch-asset';

function spawnWorker(rank: number): ReplicaWorker {
  const worker = new Worker(new URL('./replica-web.ts', import.meta.url), { type: 'module', name: `replica ${rank}` });
  return {
    postMessage: (message, transfer) => worker.postMessage(message, transfer ?? []),
    addEventListener: (type, listener) => worker.addEventListener(type, listener),
    terminate: () => worker.terminate(),
    onCrash: (listener) => worker.addEventListener('error', (e) => listener(e.message || 'the worker failed to load or threw'), { once: true }),
  };
}

export function webCoordinatorEnv(): CoordinatorEnv {
  return { spawn: spawnWorker, channel: () => new MessageChannel(), readAsset: fetchAsset };
}
