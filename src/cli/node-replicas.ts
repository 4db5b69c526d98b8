// The members' host in Node: members are worker_threads, their links are worker_threads MessageChannels,
// data comes from public/data. Threads are ended gracefully (see replica-thread.ts), and `shutdown` waits
// for all of them, so the CLI exits only once no GPU work is pending anywhere.
import { MessageChannel, Worker } from 'node:worker_threads';
import { configureVulkanDriver } from '../gpu/dawn';
import type { Member, MemberHost } from '../parallel/members';
import type { ToReplica } from '../parallel/replica-protocol';
import { readDataAsset } from './csv-data';

/**
 * A thread that has not ended this long after 'exit' is wedged: it is terminated outright. Long, because
 * Dawn aborts the whole process when a thread with a buffer mapping in flight is terminated, and a thread
 * that is only slow (a loaded machine) ends by itself.
 */
const EXIT_TIMEOUT_MS = 30_000;

export interface NodeMemberHost extends MemberHost {
  /** Resolves once every thread spawned so far has ended. */
  shutdown(): Promise<void>;
}

function spawnThread(rank: number, exits: Promise<void>[]): Member {
  const worker = new Worker(new URL('./thread-bootstrap.js', import.meta.url), {
    name: `replica ${rank}`,
    workerData: { entry: new URL('./replica-thread.ts', import.meta.url).href },
  });
  exits.push(new Promise((resolve) => worker.once('exit', () => resolve())));
  return {
    postMessage: (message, transfer) => worker.postMessage(message, transfer as never),
    addEventListener: (_type, listener) => worker.on('message', (data) => listener({ data } as MessageEvent)),
    terminate: () => {
      worker.postMessage({ type: 'exit' } satisfies ToReplica);
      setTimeout(() => void worker.terminate(), EXIT_TIMEOUT_MS).unref();
    },
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

export function nodeMemberHost(): NodeMemberHost {
  configureVulkanDriver();
  const exits: Promise<void>[] = [];
  return {
    spawn: (rank) => spawnThread(rank, exits),
    shutdown: async () => { await Promise.all(exits); },
    channel: () => new MessageChannel() as unknown as { port1: MessagePort; port2: MessagePort },
    readAsset: readDataAsset,
  };
}
