// The members' host in the page: members are module Web Workers, their links are MessageChannels between
// them, data is fetched from the site.
import { fetchAsset } from './fetch-asset';
import type { Member, MemberHost } from './members';

function spawnWorker(rank: number): Member {
  const worker = new Worker(new URL('./replica-web.ts', import.meta.url), { type: 'module', name: `replica ${rank}` });
  return {
    postMessage: (message, transfer) => worker.postMessage(message, transfer ?? []),
    addEventListener: (type, listener) => worker.addEventListener(type, listener),
    terminate: () => worker.terminate(),
    onCrash: (listener) => worker.addEventListener('error', (e) => listener(e.message || 'the worker failed to load or threw'), { once: true }),
  };
}

export function webMemberHost(): MemberHost {
  return { spawn: spawnWorker, channel: () => new MessageChannel(), readAsset: fetchAsset };
}
