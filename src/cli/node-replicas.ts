// The coordinator's environment in Node: replicas are worker_threads, ring links are worker_threads
// MessageChannels, data comes from public/data.
import { MessageChannel, Worker } from 'node:worker_threads';
import { configureVulkanDriver } from '../gpu/dawn';
import type { CoordinatorEnv, ReplicaWorker } from '../parallel/coordinator';
import { readDataAsset } from './csv-data';

function spawnThread(rank: number): ReplicaWorker {
  const worker = new Worker(new URL('./thread-bootstrap.js', import.meta.url), {
    name: `replica ${rank}`,
    workerData: { entry: new URL('./replica-thread.ts', import.meta.url).href },
  });
  return {
    postMessage: (message, transfer) => worker.postMessage(message, transfer as never),
    addEventListener: (_type, listener) => worker.on('message', (data) => listener({ data } as MessageEvent)),
    terminate: () => void worker.terminate(),
    onCrash(listener) {
      let reported = false;
      const report = (message: string) => {
        if (!reported) listener(message);
        reported = true;
      };
      worker.on('error', (e) => report(e.message));
      worker.on('exit', (code) => code !== 0 && report(`worker thread exited with code ${code}`));
    },
  };
}

export function nodeCoordinatorEnv(): CoordinatorEnv {
  configureVulkanDriver();
  return {
    spawn: spawnThread,
    channel: () => new MessageChannel() as unknown as { port1: MessagePort; port2: MessagePort },
    readAsset: readDataAsset,
  };
}
