// Helpers for the parallel tests on Dawn: the generated data files, single-device training with the same
// config (the reference every parallel mode is compared with), replicas served in this thread, and
// devices that count the bytes their buffers hold.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DATA_DIR } from '../cli/prepare-data';
import type { RunConfig } from '../core/config';
import { loadDataset } from '../core/datasets';
import type { MetricRecord } from '../core/metrics';
import { requestNodeDevice } from '../gpu/dawn';
import { runTraining } from '../gpu/train-run';
import type { Member, MemberHost } from './members';
import type { Endpoint } from './ports';
import { serveReplica } from './replica';

/** The generated MNIST files (`npm test` writes them first, through its pretest script). */
export const readAsset = async (file: string): Promise<Uint8Array> => new Uint8Array(await readFile(join(DATA_DIR, file)));

/** Trains `config` on one device: its metric records and final weights. */
export async function trainOneDevice(config: RunConfig): Promise<{ records: MetricRecord[]; params: Float32Array }> {
  const records: MetricRecord[] = [];
  let params: Float32Array | null = null;
  const dataset = await loadDataset(config.dataset, config.seed, readAsset);
  await runTraining({ device: await requestNodeDevice(), config, dataset, emit: (r) => records.push(r), onFinalParams: (p) => { params = p; } });
  return { records, params: params! };
}

/** A replica in this thread on the device `requestDevice` gives, talking over a real MessagePort (a class member's local host starts one per worker). */
export function localReplica(requestDevice: () => Promise<GPUDevice> = requestNodeDevice): Member {
  const { port1, port2 } = new MessageChannel();
  serveReplica({ coordinator: port2 as unknown as Endpoint, requestDevice, readAsset });
  port1.start();
  return {
    postMessage: (m, transfer) => port1.postMessage(m, transfer ?? []),
    addEventListener: (type, listener) => port1.addEventListener(type, listener),
    terminate: () => port1.close(),
    onCrash: () => {},
  };
}

/** Replicas in this thread, each with its own Dawn device (or the one `deviceFor` gives). */
export function inProcessHost(deviceFor: (rank: number) => Promise<GPUDevice> = requestNodeDevice): MemberHost {
  return {
    spawn: (rank) => localReplica(() => deviceFor(rank)),
    channel: () => new MessageChannel(),
    readAsset,
  };
}
