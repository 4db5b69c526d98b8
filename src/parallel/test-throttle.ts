// Tests only: members slowed as a slower GPU would be, each step of theirs sleeping a set time per sample
// in its compute phase (the init's throttleMsPerSample), to measure balance=speed against. A config or a
// link never reaches it: a test wraps the spawn of its member host (in Node, or a class member's page).
import type { Member } from './members';
import type { ToReplica } from './replica-protocol';

/** `spawn` with the members of each rank slowed by `msPerSample(rank)` ms per sample (0: not at all). */
export function throttledSpawn(spawn: (rank: number) => Member, msPerSample: (rank: number) => number): (rank: number) => Member {
  return (rank) => {
    const member = spawn(rank);
    const ms = msPerSample(rank);
    const throttled = (m: unknown) => ((m as ToReplica).type === 'init' && ms > 0 ? { ...(m as object), throttleMsPerSample: ms } : m);
    return {
      postMessage: (m, transfer) => member.postMessage(throttled(m), transfer),
      addEventListener: (type, listener) => member.addEventListener(type, listener),
      terminate: () => member.terminate(),
      onCrash: (listener) => member.onCrash(listener),
    };
  };
}
