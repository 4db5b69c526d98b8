// worker_thread entry of one data-parallel replica in the CLI: Dawn for the GPU, files for the data.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parentPort } from 'node:worker_threads';
import { requestNodeDevice } from '../gpu/dawn';
import type { Endpoint } from '../parallel/ports';
import { serveReplica } from '../parallel/replica';
import { DATA_DIR } from './prepare-data';

serveReplica({
  coordinator: parentPort as unknown as Endpoint,
  requestDevice: requestNodeDevice,
  readAsset: async (file) => new Uint8Array(await readFile(join(DATA_DIR, file))),
});
