// Starts a worker thread that runs the lab's TypeScript: registers tsx and the `?raw` shader loader in
// this thread, then imports the entry module named in workerData.entry.
import { register } from 'node:module';
import { workerData } from 'node:worker_threads';
import { register as registerTsx } from 'tsx/esm/api';

registerTsx();
register('./wgsl-hooks.js', import.meta.url);
await import(workerData.entry);
