// worker_thread entry of one data-parallel replica in the CLI: Dawn for the GPU, files for the data.
import { parentPort } from 'node:worker_threads';
import { requestNodeDevice } from '../gpu/dawn';
import type { Endpoint } from '../parallel/ports';
import { serveReplica } from '../parallel/replica';
import { readDataAsset } from './csv-data';

serveReplica({
  coordinator: parentPort as unknown as Endpoint,
  requestDevice: requestNodeDevice,
  readAsset: readDataAsset,
});
