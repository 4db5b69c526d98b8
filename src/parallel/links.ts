// How a generation's members are wired to each other, from links their host makes: rings (the replicas of
// data parallelism, tensor-parallel workers, one pipeline stage across replicas) and a pipeline's chain.
import type { MemberHost } from './members';

type Channels = Pick<MemberHost, 'channel'>;

/** Ring position k receives from k − 1 on `left` and sends to k + 1 on `right`. */
export interface RingEnds {
  left: MessagePort;
  right: MessagePort;
}

export function ring(host: Channels, size: number): RingEnds[] {
  const links = Array.from({ length: size }, () => host.channel());
  return links.map((_, k) => ({ left: links[(k + size - 1) % size].port2, right: links[k].port1 }));
}

/** Stage s sends to stage s + 1 on `next`, which receives on `prev` (and sends gradients back the same way). */
export interface ChainEnds {
  prev?: MessagePort;
  next?: MessagePort;
}

export function chain(host: Channels, size: number): ChainEnds[] {
  const links = Array.from({ length: size - 1 }, () => host.channel());
  return Array.from({ length: size }, (_, s) => ({ prev: links[s - 1]?.port2, next: links[s]?.port1 }));
}
