// How a generation's members are wired to each other, from links their host makes: rings (the replicas of
// data parallelism, tensor-parallel workers, one pipeline stage across replicas) and a pipeline's chain.
import type { MemberHost } from './members';

type Channels = Pick<MemberHost, 'channel'>;

/** Ring position k receives from k − 1 on `left` and sends to k + 1 on `right`. */
export interface RingEnds {
  left: MessagePort;
  right: MessagePort;
}

/** A ring through the members `ranks`, in that order: position k is member ranks[k]. */
export function ring(host: Channels, ranks: number[]): RingEnds[] {
  const size = ranks.length;
  const links = ranks.map((rank, k) => host.channel(rank, ranks[(k + 1) % size]));
  return links.map((_, k) => ({ left: links[(k + size - 1) % size].port2, right: links[k].port1 }));
}

/** Stage s sends to stage s + 1 on `next`, which receives on `prev` (and sends gradients back the same way). */
export interface ChainEnds {
  prev?: MessagePort;
  next?: MessagePort;
}

/** A chain through the members `ranks`, in that order: stage s is member ranks[s]. */
export function chain(host: Channels, ranks: number[]): ChainEnds[] {
  const links = ranks.slice(1).map((rank, s) => host.channel(ranks[s], rank));
  return ranks.map((_, s) => ({ prev: links[s - 1]?.port2, next: links[s]?.port1 }));
}

/** Ranks from, from + step, … (count of them): a run's members, a replica's stages, a stage across replicas. */
export function ranks(count: number, from = 0, step = 1): number[] {
  return Array.from({ length: count }, (_, k) => from + k * step);
}
