// All-reduce of a flat float32 vector across data-parallel replicas: the sum over ranks.
// ring: reduce-scatter then all-gather between neighbours, N chunks, 2(N−1) steps; each replica sends
//       2(N−1)/N of the vector. Partial sums travel as float64, so the float32 result is the exactly
//       rounded sum whenever the addends' magnitudes are within 2^26 of each other — in practice the
//       same bits as star's rank-ordered sum, and the same bits on every run.
// star: every replica sends its vector to the coordinator, which sums in rank order and sends it back.
import { firstNonFinite } from '../core/metrics';
import { Inbox, type Endpoint } from './ports';
import type { BadInput } from './replica-protocol';

export interface RingMessage {
  type: 'ring';
  /** Which all-reduce this belongs to (a step or sync counter), so messages never mix. */
  round: number;
  chunk: number;
  data: Float64Array;
}

export interface RingLinks {
  rank: number;
  world: number;
  /** Receives from rank − 1. */
  left: Inbox<RingMessage>;
  /** Sends to rank + 1. */
  right: Endpoint;
}

/** A worker's ring from the ports its init message carries: it receives from `left` and sends to `right`. */
export function ringLinks(rank: number, world: number, left: MessagePort, right: MessagePort): RingLinks {
  return { rank, world, left: new Inbox<RingMessage>(left as unknown as Endpoint), right: right as unknown as Endpoint };
}

/** Chunk c covers [bounds[c], bounds[c+1]). */
export function chunkBounds(length: number, chunks: number): number[] {
  return Array.from({ length: chunks + 1 }, (_, c) => Math.floor((length * c) / chunks));
}

export interface AllreduceResult {
  sum: Float32Array;
  bytesSent: number;
  /** Ring: the first chunk from the left neighbour that this rank could not take (the sum is then NaN). */
  badInput?: BadInput;
}

/** The sum over ranks times `scale` (1/N to average), scaled in float64 before the one rounding. */
export async function ringAllreduce(data: Float32Array, round: number, links: RingLinks, scale = 1): Promise<AllreduceResult> {
  const { rank, world, left, right } = links;
  const acc = Float64Array.from(data);
  const bounds = chunkBounds(data.length, world);
  const mod = (i: number) => ((i % world) + world) % world;
  let bytesSent = 0;
  const send = (chunk: number) => {
    const part = acc.slice(bounds[chunk], bounds[chunk + 1]);
    bytesSent += part.byteLength;
    right.postMessage({ type: 'ring', round, chunk, data: part } satisfies RingMessage, [part.buffer]);
  };
  let badInput: BadInput | undefined;
  /**
   * Chunk `chunk` from the left neighbour, the `at`-th receive of this all-reduce. One this rank cannot take
   * is taken as NaN, so that no replica takes the step's update, and the first is named.
   */
  const receive = async (chunk: number, at: number): Promise<Float64Array> => {
    const { data } = await left.next((m) => m.round === round && m.chunk === chunk);
    const length = bounds[chunk + 1] - bounds[chunk];
    const bad = firstNonFinite(data instanceof Float64Array ? data : []);
    const what = !(data instanceof Float64Array) ? 'a chunk that is not float64'
      : data.length !== length ? `a chunk of ${data.length} values where ${length} belong`
        : bad >= 0 ? `non-finite values (${data[bad]})` : null;
    if (what === null) return data;
    badInput ??= { at, what };
    return new Float64Array(length).fill(NaN);
  };
  // Reduce-scatter: after N−1 steps this rank holds the full sum of chunk rank+1.
  for (let s = 0; s < world - 1; s++) {
    send(mod(rank - s));
    const chunk = mod(rank - s - 1);
    const data = await receive(chunk, s);
    const base = bounds[chunk];
    for (let i = 0; i < data.length; i++) acc[base + i] += data[i];
  }
  // All-gather: pass the finished chunks around the ring.
  for (let s = 0; s < world - 1; s++) {
    send(mod(rank + 1 - s));
    const chunk = mod(rank - s);
    acc.set(await receive(chunk, world - 1 + s), bounds[chunk]);
  }
  return { sum: Float32Array.from(acc, (x) => x * scale), bytesSent, badInput };
}

/** A replica's half of star: its vector to the coordinator, and the coordinator's sum of the round back. */
export interface StarLink {
  send(round: number, data: Float32Array, scale: number): void;
  receive(round: number): Promise<Float32Array>;
}

/**
 * A worker's all-reduces, numbered so that the messages of successive rounds never mix: over its ring, or
 * through the coordinator (star) when it has none.
 */
export class AllreduceRounds {
  private round = 0;

  constructor(private readonly ring: RingLinks | null, private readonly star: StarLink | null = null) {}

  async sum(vector: Float32Array, scale = 1): Promise<AllreduceResult> {
    const round = this.round++;
    if (this.ring) return ringAllreduce(vector, round, this.ring, scale);
    // Counted before the vector is transferred away.
    const bytesSent = vector.byteLength;
    this.star!.send(round, vector, scale);
    return { sum: await this.star!.receive(round), bytesSent };
  }
}

/** The coordinator's half of star: the rank-ordered float64 sum times `scale`, rounded once to float32. */
export function starSum(vectors: Float32Array[], scale = 1): Float32Array {
  const acc = new Float64Array(vectors[0].length);
  for (const v of vectors) for (let i = 0; i < v.length; i++) acc[i] += v[i];
  return Float32Array.from(acc, (x) => x * scale);
}

/** Bytes each replica sends per all-reduce of `bytes` bytes in an ideal ring: 2K(N−1)/N. */
export function ringTheoryBytes(bytes: number, world: number): number {
  return (2 * bytes * (world - 1)) / world;
}
