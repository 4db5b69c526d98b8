// worker_thread entry of one replica or model-parallel worker in the CLI: Dawn for the GPU, files for the
// data and the kernel cache (the threads take turns on it through its lock file). It ends itself on 'exit'
// once its devices are destroyed: Dawn aborts the whole process when a thread is torn down with a GPU
// promise still pending.
import { parentPort } from 'node:worker_threads';
import { requestNodeDevice } from '../gpu/dawn';
import { setKernelCache } from '../gpu/kernel-cache';
import { fileKernelCache } from '../gpu/kernel-cache-file';
import type { Endpoint } from '../parallel/ports';
import { serveReplica } from '../parallel/replica';
import type { ToReplica } from '../parallel/replica-protocol';
import { readDataAsset } from './csv-data';

/** Time for Dawn to settle the destroyed devices' promises before the thread ends. */
const SETTLE_MS = 200;

const devices: GPUDevice[] = [];

setKernelCache(fileKernelCache());

parentPort!.on('message', (m: ToReplica) => {
  if (m.type !== 'exit') return;
  devices.forEach((d) => d.destroy());
  setTimeout(() => process.exit(0), SETTLE_MS);
});

serveReplica({
  coordinator: parentPort as unknown as Endpoint,
  requestDevice: async () => {
    const device = await requestNodeDevice();
    devices.push(device);
    return device;
  },
  readAsset: readDataAsset,
});
